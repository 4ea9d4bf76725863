/** Engine version, reported by the worker and recorded in saved runs. */
export const ENGINE_VERSION = '0.1.0';
