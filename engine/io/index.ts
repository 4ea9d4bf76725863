/**
 * Reading (and writing) the files model files refer to: NPY arrays,
 * safetensors checkpoints and CSV datasets. Every reader takes the file's
 * bytes or text and a file name for messages, and never touches a file
 * system; every problem with a file is an `IoError`.
 */
export { IoError } from './errors';
export type { ElementType, LoadedArray, NumericArray } from './types';
export type { WritableArray } from './elements';
export { readNpy, writeNpy } from './npy';
export { readSafetensors, readSafetensorsFile, writeSafetensors, type SafetensorsFile } from './safetensors';
export { readCsvDataset, type CsvDatasetOptions } from './csv';
export { detectDelimiter, type CsvDelimiter } from './csvTable';
export { readNpyDataset, readNpyExtraInput, type ArrayInput, type NpyDatasetOptions } from './npyDataset';
export type { DatasetTask } from './task';
