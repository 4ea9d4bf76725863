/**
 * A restricted unpickler for the `data.pkl` of `torch.save` archives, in the
 * spirit of `torch.load(weights_only=True)`: it builds tensors, storages,
 * (ordered) dicts, lists, tuples, sets and plain values, and nothing else.
 *
 * A pickle is a program for a stack machine (Python's pickle module; the
 * opcodes are listed in its `pickletools` documentation). Its one dangerous
 * power is naming a global (GLOBAL / STACK_GLOBAL: any importable callable,
 * e.g. `os.system`) and calling it (REDUCE, NEWOBJ, BUILD …). Here a global
 * is looked up in a short allowlist the moment it is named; any other is
 * refused with its name, and nothing from the file is ever run: the allowed
 * "calls" are JavaScript functions that only build values.
 *
 * Tensors arrive as
 *   torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
 * with `storage` a persistent id (BINPERSID) of the form
 *   ('storage', torch.FloatStorage, key, location, numel)
 * whose bytes are the archive record `data/<key>`; parameters wrap a tensor in
 * torch._utils._rebuild_parameter(tensor, requires_grad, backward_hooks).
 *
 * The machine is iterative and every opcode consumes input, so a corrupt or
 * hostile stream ends (with an IoError) in time linear in its length.
 */
import { IoError } from '../io/errors';
import type { ElementType } from '../io/types';

/** A storage record of the archive. One object per key, so tied tensors share it. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: ElementType,
    /** Elements, as the pickle claims (checked against the record when read). */
    readonly numel: number,
    readonly location: string,
  ) {}
}

export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    /** In elements. */
    readonly storageOffset: number,
    readonly shape: number[],
    /** In elements. */
    readonly stride: number[],
  ) {}
}

export class PyTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** A dict or collections.OrderedDict; keys are compared as JavaScript Map keys. */
export class PyDict {
  readonly entries = new Map<PickleValue, PickleValue>();
}

export class PySet {
  constructor(readonly items: PickleValue[] = []) {}
}

/** An allowed global named as a value (a storage type or a torch dtype), not called. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | StorageRef
  | TensorRef;

/** torch's typed storage classes, named in persistent ids, and their element types. */
const STORAGE_TYPES: Readonly<Record<string, ElementType>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  // Untyped storages hold bytes.
  UntypedStorage: 'uint8',
};

/** torch dtypes that may appear as values (tensor metadata); inert. */
const TORCH_DTYPES = new Set([
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int64', 'long', 'int32', 'int', 'int16',
  'short', 'int8', 'uint8', 'bool',
]);

type Callable = (args: PickleValue[], fail: (detail: string) => never) => PickleValue;

/** The globals that may be called, and what calling them builds. */
const CALLABLES: Readonly<Record<string, Callable>> = {
  'collections.OrderedDict': (args, fail) => {
    const dict = new PyDict();
    if (args.length > 1) fail('OrderedDict() takes at most one argument');
    if (args.length === 1) {
      if (!Array.isArray(args[0])) fail('OrderedDict(items) needs a list of pairs');
      for (const pair of args[0] as PickleValue[]) {
        if (!(pair instanceof PyTuple) || pair.items.length !== 2) fail('OrderedDict(items) needs a list of pairs');
        dict.entries.set((pair as PyTuple).items[0]!, (pair as PyTuple).items[1]!);
      }
    }
    return dict;
  },
  'torch._utils._rebuild_tensor_v2': (args, fail) => rebuildTensor(args, 6, fail),
  // Lightning's save_hyperparameters() stores its hyper-parameters as an AttributeDict, a dict subclass that
  // pickles as NEWOBJ(AttributeDict, ()) then SETITEMS: a plain dict here, so Lightning checkpoints open.
  ...Object.fromEntries(['lightning.fabric.utilities.data', 'lightning_fabric.utilities.data', 'pytorch_lightning.utilities.parsing']
    .map((module): [string, Callable] => [`${module}.AttributeDict`, (args, fail) => (args.length === 0 ? new PyDict() : fail('AttributeDict takes no arguments here'))])),
  'torch._utils._rebuild_tensor': (args, fail) => rebuildTensor(args, 4, fail),
  'torch._utils._rebuild_parameter': (args, fail) => parameter(args, 3, fail),
  'torch._utils._rebuild_parameter_with_state': (args, fail) => parameter(args, 4, fail),
  'torch.Size': (args, fail) => {
    if (args.length !== 1 || !(args[0] instanceof PyTuple)) fail('torch.Size() needs one tuple');
    return args[0]!;
  },
  // Protocol-2 pickles spell bytes as _codecs.encode(text, 'latin1').
  '_codecs.encode': (args, fail) => {
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) fail("_codecs.encode is allowed only as encode(str, 'latin1')");
    const s = text as string;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) fail('_codecs.encode: a character beyond latin-1');
      out[i] = c;
    }
    return out;
  },
};

const isCount = (x: PickleValue | undefined): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function intList(value: PickleValue | undefined): number[] | undefined {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  return items && items.every(isCount) ? (items as number[]) : undefined;
}

function rebuildTensor(args: PickleValue[], minArgs: number, fail: (detail: string) => never): TensorRef {
  if (args.length < minArgs) fail(`tensor rebuild with ${args.length} arguments, expected ${minArgs} or more`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) return fail('tensor rebuild: the first argument is not a storage');
  if (!isCount(offset)) return fail('tensor rebuild: the storage offset is not a non-negative integer');
  const shape = intList(size);
  const strides = intList(stride);
  if (!shape || !strides || shape.length !== strides.length) return fail('tensor rebuild: size and stride are not equally long tuples of non-negative integers');
  return new TensorRef(storage, offset, shape, strides);
}

function parameter(args: PickleValue[], minArgs: number, fail: (detail: string) => never): TensorRef {
  if (args.length < minArgs || !(args[0] instanceof TensorRef)) fail('parameter rebuild: the first argument is not a tensor');
  return args[0] as TensorRef;
}

/** Why `module.name` is refused, naming it; `posix`/`nt` are how os functions are pickled. */
function refusal(module: string, name: string): string {
  const alias = module === 'posix' || module === 'nt' ? ` (os.${name})` : '';
  return `refused to load the global '${module}.${name}'${alias}: a checkpoint may hold only tensors, storages, dicts, lists, tuples and plain values; nothing in the file was run`;
}

/** Resolves a named global: an allowed callable, storage type or dtype, else refused. */
function lookupGlobal(module: string, name: string, fail: (detail: string) => never): PyGlobal {
  const full = `${module}.${name}`;
  if (Object.hasOwn(CALLABLES, full)) return new PyGlobal(module, name);
  if ((module === 'torch' || module === 'torch.storage') && Object.hasOwn(STORAGE_TYPES, name)) return new PyGlobal(module, name);
  if (module === 'torch' && TORCH_DTYPES.has(name)) return new PyGlobal(module, name);
  // Complex, quantized and float8 storages are torch's own, not code: say that they are not read, not that they are refused.
  if (module === 'torch' && /^[A-Za-z0-9_]+Storage$/.test(name)) {
    return fail(`tensors of storage type torch.${name} are not supported; supported are ${Object.keys(STORAGE_TYPES).join(', ')}`);
  }
  return fail(refusal(module, name));
}

/** The marker MARK pushes: kept on a separate stack of positions, as CPython does. */
const MAX_MEMO_INDEX = 2 ** 31;

/** Unpickles `bytes` (a `data.pkl`), resolving BINPERSID storages as torch's loader does. */
export function unpickle(bytes: Uint8Array, fileName: string): PickleValue {
  const fail = (detail: string): never => {
    throw new IoError(fileName, `data.pkl: ${detail}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  const storages = new Map<string, StorageRef>();
  let pos = 0;

  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) fail(`truncated: an opcode at byte ${pos - 1} needs ${n} more bytes`);
    const at = pos;
    pos += n;
    return at;
  };
  const pop = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail(`stack underflow at byte ${pos - 1}`);
    return stack.pop()!;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) fail(`stack underflow at byte ${pos - 1}`);
    return stack[stack.length - 1]!;
  };
  const popMark = (): PickleValue[] => {
    if (marks.length === 0) fail(`no MARK before the opcode at byte ${pos - 1}`);
    const at = marks.pop()!;
    return stack.splice(at);
  };
  const text = (n: number): string => {
    const at = need(n);
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail(`a string at byte ${at} is not valid UTF-8`);
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated: a text argument at byte ${pos} has no end of line`);
    let s = '';
    for (let i = pos; i < end; i++) s += String.fromCharCode(bytes[i]!);
    pos = end + 1;
    return s;
  };
  const copy = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.slice(at, at + n);
  };
  const u64 = (at: number): number => view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true);
  const memoGet = (i: number): PickleValue => {
    if (!memo.has(i)) fail(`memo entry ${i} is read before it is written`);
    return memo.get(i)!;
  };
  const memoPut = (i: number): void => {
    if (i >= MAX_MEMO_INDEX) fail(`memo index ${i} is too large`);
    memo.set(i, top());
  };
  const setItems = (dict: PickleValue, items: PickleValue[]): void => {
    if (!(dict instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(dict)}, not a dict`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (dict as PyDict).entries.set(items[i]!, items[i + 1]!);
  };
  const append = (list: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(list)) fail(`APPEND(S) on a ${typeName(list)}, not a list`);
    for (const item of items) (list as PickleValue[]).push(item);
  };
  const call = (callable: PickleValue, args: PickleValue, opcode: string): PickleValue => {
    if (!(callable instanceof PyGlobal)) return fail(`${opcode} calls a ${typeName(callable)}, not an allowed global`);
    const fn = CALLABLES[`${callable.module}.${callable.name}`];
    if (!fn) return fail(`${opcode} calls '${callable.module}.${callable.name}', which may only be named, not called`);
    if (!(args instanceof PyTuple)) return fail(`${opcode} arguments are a ${typeName(args)}, not a tuple`);
    return fn(args.items, (detail) => fail(`${callable.module}.${callable.name}: ${detail}`));
  };
  const persistentLoad = (pid: PickleValue): StorageRef => {
    const items = pid instanceof PyTuple ? pid.items : [];
    const [kind, type, key, location, numel] = items;
    if (kind !== 'storage' || items.length !== 5) return fail("a persistent id that is not ('storage', type, key, location, numel)");
    if (!(type instanceof PyGlobal) || !Object.hasOwn(STORAGE_TYPES, type.name)) return fail('a persistent id whose storage type is not a torch storage class');
    if (typeof key !== 'string' || typeof location !== 'string' || !isCount(numel)) return fail(`storage ${JSON.stringify(key)}: malformed key, location or size`);
    const dtype = STORAGE_TYPES[type.name]!;
    const known = storages.get(key);
    if (known) {
      if (known.dtype !== dtype) fail(`storage '${key}' is named with two element types`);
      return known;
    }
    const ref = new StorageRef(key, dtype, numel, location);
    storages.set(key, ref);
    return ref;
  };
  const pushGlobal = (module: string, name: string): void => {
    stack.push(lookupGlobal(module, name, fail));
  };

  for (;;) {
    if (pos >= bytes.length) fail('truncated: the pickle ends without a STOP opcode');
    const opAt = pos;
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)]! > 5) fail(`pickle protocol ${bytes[pos - 1]} is not supported`);
        break;
      case 0x95: // FRAME: a length hint only
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length === 0) fail('STOP with an empty stack');
        return stack[stack.length - 1]!;
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT: int32
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1: uint8
        stack.push(bytes[need(1)]!);
        break;
      case 0x4d: // BININT2: uint16
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1: n bytes, two's complement little-endian
      case 0x8b: { // LONG4
        const n = op === 0x8a ? bytes[need(1)]! : view.getInt32(need(4), true);
        if (n < 0) fail(`LONG4 with a negative length at byte ${opAt}`);
        stack.push(littleEndianInt(bytes.subarray(need(n), pos)));
        break;
      }
      case 0x49: { // INT (text); "00"/"01" are False/True
        const s = line();
        if (s === '00' || s === '01') stack.push(s === '01');
        else stack.push(parseIntText(s, fail));
        break;
      }
      case 0x4c: // LONG (text, with an optional L)
        stack.push(parseIntText(line().replace(/L$/, ''), fail));
        break;
      case 0x46: { // FLOAT (text)
        const s = line();
        const x = Number(s);
        if (s.trim() === '' || (Number.isNaN(x) && !/^[-+]?nan$/i.test(s.trim()))) fail(`FLOAT '${s}' is not a number`);
        stack.push(x);
        break;
      }
      case 0x47: // BINFLOAT: big-endian double
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE: uint32 length
        stack.push(text(view.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(bytes[need(1)]!));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64(need(8))));
        break;
      case 0x54: // BINSTRING: Python 2 str, int32 length; read as latin-1 text
      case 0x55: { // SHORT_BINSTRING
        const n = op === 0x55 ? bytes[need(1)]! : view.getInt32(need(4), true);
        if (n < 0) fail(`BINSTRING with a negative length at byte ${opAt}`);
        const raw = copy(n);
        let s = '';
        for (const b of raw) s += String.fromCharCode(b);
        stack.push(s);
        break;
      }
      case 0x42: // BINBYTES
        stack.push(copy(view.getUint32(need(4), true)));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(copy(bytes[need(1)]!));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(copy(u64(need(8))));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: { // DICT
        const items = popMark();
        const dict = new PyDict();
        setItems(dict, items);
        stack.push(dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet());
        break;
      case 0x91: // FROZENSET
        stack.push(new PySet(popMark()));
        break;
      case 0x90: { // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof PySet)) fail(`ADDITEMS on a ${typeName(set)}, not a set`);
        (set as PySet).items.push(...items);
        break;
      }
      case 0x61: { // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memoPut(bytes[need(1)]!);
        break;
      case 0x72: // LONG_BINPUT
        memoPut(view.getUint32(need(4), true));
        break;
      case 0x70: // PUT (text)
        memoPut(parseIntText(line(), fail));
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x68: // BINGET
        stack.push(memoGet(bytes[need(1)]!));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(view.getUint32(need(4), true)));
        break;
      case 0x67: // GET (text)
        stack.push(memoGet(parseIntText(line(), fail)));
        break;
      case 0x63: { // GLOBAL: "module\nname\n"
        const module = line();
        pushGlobal(module, line());
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        pushGlobal(module as string, name as string);
        break;
      }
      case 0x52: { // REDUCE: callable(*args)
        const args = pop();
        const callable = pop();
        stack.push(call(callable, args, 'REDUCE'));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args, 'NEWOBJ'));
        break;
      }
      case 0x62: { // BUILD: obj.__setstate__(state)
        const state = pop();
        const obj = top();
        // A state_dict's `_metadata` (versions) and a tensor's flags arrive this way; both are ignored.
        if (!(obj instanceof PyDict || obj instanceof TensorRef)) fail(`BUILD on a ${typeName(obj)} (only dicts and tensors take a state)`);
        void state;
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop()));
        break;
      default:
        fail(describeUnsupported(op, opAt));
    }
  }
}

function describeUnsupported(op: number, at: number): string {
  const names: Record<number, string> = {
    0x69: 'INST', 0x6f: 'OBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x50: 'PERSID', 0x53: 'STRING',
    0x56: 'UNICODE', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
  };
  const name = names[op];
  return name
    ? `opcode ${name} at byte ${at} is not supported (it builds objects a weights-only load refuses, or is not used by torch.save)`
    : `unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (not a pickle, or a corrupt one)`;
}

/** A two's-complement little-endian integer, as a number (rounded beyond 2⁵³). */
function littleEndianInt(b: Uint8Array): number {
  if (b.length === 0) return 0;
  let value = 0;
  for (let i = b.length - 1; i >= 0; i--) value = value * 256 + b[i]!;
  if (b[b.length - 1]! & 0x80) value -= 2 ** (8 * b.length);
  return value;
}

function parseIntText(s: string, fail: (detail: string) => never): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) fail(`'${s.slice(0, 40)}' is not an integer`);
  return Number(s);
}

export function typeName(value: PickleValue | undefined): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PySet) return 'set';
  if (value instanceof PyGlobal) return `global ${value.module}.${value.name}`;
  if (value instanceof StorageRef) return 'storage';
  if (value instanceof TensorRef) return 'tensor';
  return typeof value === 'string' ? 'str' : typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int' : 'float';
}
