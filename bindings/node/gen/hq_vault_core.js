"use components";
import { fill } from '../entropy.js';

const emptyFunc = () => {};

let dv = new DataView(new ArrayBuffer());
const dataView = mem => dv.buffer === mem.buffer ? dv : dv = new DataView(mem.buffer);

function toUint64(val) {
  const converted = BigInt(val)
  
  return BigInt.asUintN(64, converted);
}


function toUint16(val) {
  
  val >>>= 0;
  val %= 2 ** 16;
  return val;
}


function toUint32(val) {
  
  return val >>> 0;
}


function _isValidNumericPrimitive(ty, v) {
  if (v === undefined || v === null) { return false; }
  switch (ty) {
    case 'bool':
    return v === 0 || v === 1;
    break;
    case 'u8':
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;
    break;
    case 's8':
    return typeof v === 'number' && Number.isInteger(v) && v >= -128 && v <= 127;
    break;
    case 'u16':
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
    break;
    case 's16':
    return typeof v === 'number' && Number.isInteger(v) && v >= -32768 && v <= 32767;
    case 'u32':
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4_294_967_295;
    case 's32':
    return typeof v === 'number' && Number.isInteger(v) && v >= -2_147_483_648 && v <= 2_147_483_647;
    case 'u64':
    return typeof v === 'bigint' && v >= 0 && v <= 18_446_744_073_709_551_615n;
    case 's64':
    return typeof v === 'bigint' && v >= -9223372036854775808n && v <= 9223372036854775807n;
    break;
    case 'f32':
    case 'f64': return typeof v === 'number';
    default:
    return false;
  }
  return true;
}

function _requireValidNumericPrimitive(ty, v) {
  if (v === undefined  || v === null || !_isValidNumericPrimitive(ty, v)) {
    throw new TypeError(`invalid ${ty} value [${v}]`);
  }
  return true;
}
const TEXT_DECODER_UTF8 = new TextDecoder();
const TEXT_ENCODER_UTF8 = new TextEncoder();

function _utf8AllocateAndEncode(s, realloc, memory) {
  if (typeof s !== 'string') {
    throw new TypeError('expected a string, received [' + typeof s + ']');
  }
  if (s.length === 0) { return { ptr: 1, len: 0 }; }
  // Compute the exact allocation size up front. Some older preview1
  // adapters only support an initial allocation, not a subsequent shrink.
  let len = 0;
  let codepoints = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    codepoints++;
    if (ch < 0x80) { len += 1; }
    else if (ch < 0x800) { len += 2; }
    else if (ch >= 0xd800 && ch <= 0xdbff &&
    i + 1 < s.length &&
    (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 4;
      i++;
    } else { len += 3; }
  }
  const ptr = realloc(0, 0, 1, len);
  const { read, written } = TEXT_ENCODER_UTF8.encodeInto(
  s,
  new Uint8Array(memory.buffer, ptr, len),
  );
  if (read !== s.length || written !== len) {
    throw new Error('failed to encode whole string');
  }
  const res = { ptr, len, codepoints };
  return res;
}

const T_FLAG = 1 << 30;

function rscTableCreateOwn(table, rep) {
  const free = table[0] & ~T_FLAG;
  table._createdReps.add(rep);
  if (free === 0) {
    table.push(0);
    table.push(rep | T_FLAG);
    return (table.length >> 1) - 1;
  }
  table[0] = table[free << 1];
  table[free << 1] = 0;
  table[(free << 1) + 1] = rep | T_FLAG;
  return free;
}

const RESOURCE_SCOPE_TASKS = new Map();
const WebAssemblyRuntimeError = WebAssembly.RuntimeError;

function rscTableRemove(table, handle) {
  const scope = table[handle << 1];
  const val = table[(handle << 1) + 1];
  const own = (val & T_FLAG) !== 0;
  const rep = val & ~T_FLAG;
  if (val === 0 || (scope & T_FLAG) !== 0) {
    // Resource entries occupy scope/rep pairs after the table sentinel.
    throw new WebAssemblyRuntimeError(`unknown handle index ${(handle << 1) + 1}`);
  }
  if (own && scope !== 0) {
    throw new WebAssemblyRuntimeError('cannot remove owned resource while borrowed');
  }
  const borrowTask = own ? undefined : RESOURCE_SCOPE_TASKS.get(scope);
  table[handle << 1] = table[0] | T_FLAG;
  table[0] = handle | T_FLAG;
  borrowTask?.removeBorrowedHandle();
  return { rep, scope, own };
}

let RESOURCE_SCOPE_ID = 0;
const ASYNC_TASKS_BY_COMPONENT_IDX = new Map();
const ASYNC_CURRENT_COMPONENT_IDXS = [];

function getCurrentTask(componentIdx, taskID) {
  let usedGlobal = false;
  if (componentIdx === undefined || componentIdx === null) {
    throw new Error('missing component idx'); // TODO(fix)
    // componentIdx = ASYNC_CURRENT_COMPONENT_IDXS.at(-1);
    // usedGlobal = true;
  }
  
  const taskMetas = ASYNC_TASKS_BY_COMPONENT_IDX.get(componentIdx);
  if (taskMetas === undefined || taskMetas.length === 0) { return undefined; }
  
  if (taskID) {
    return taskMetas.find(meta => meta.task.id() === taskID);
  }
  
  const taskMeta = taskMetas[taskMetas.length - 1];
  if (!taskMeta || !taskMeta.task) { return undefined; }
  
  return taskMeta;
}
const ASYNC_CURRENT_TASK_IDS = [];

const _debugLog = (...args) => {
  if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
  console.debug(...args);
};

function clearCurrentTask(componentIdx, taskID) {
  _debugLog('[clearCurrentTask()] args', { componentIdx, taskID });
  
  if (componentIdx === undefined || componentIdx === null) {
    throw new Error('missing/invalid component instance index while ending current task');
  }
  
  const tasks = ASYNC_TASKS_BY_COMPONENT_IDX.get(componentIdx);
  if (!tasks || !Array.isArray(tasks)) {
    throw new Error('missing/invalid tasks for component instance while ending task');
  }
  if (tasks.length == 0) {
    throw new Error(`no current tasks for component instance [${componentIdx}] while ending task`);
  }
  
  if (taskID !== undefined) {
    const last = tasks[tasks.length - 1];
    if (last.id !== taskID) {
      // throw new Error('current task does not match expected task ID');
      return;
    }
  }
  
  ASYNC_CURRENT_TASK_IDS.pop();
  ASYNC_CURRENT_COMPONENT_IDXS.pop();
  
  const taskMeta = tasks.pop();
  return taskMeta.task;
}
const ASYNC_STATE = new Map();

function promiseWithResolvers() {
  if (Promise.withResolvers) {
    return Promise.withResolvers();
  } else {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }
}

class Waitable {
  #componentIdx;
  
  #pendingEventFn = null;
  
  #promise;
  #resolve;
  #reject;
  
  #waitableSet = null;
  
  #hasSyncWaiter = false;
  
  #idx = null; // to component-global waitables
  
  target;
  
  constructor(args) {
    const { componentIdx, target } = args;
    this.#componentIdx = componentIdx;
    this.target = args.target;
    this.#resetPromise();
  }
  
  componentIdx() { return this.#componentIdx; }
  isInSet() { return this.#waitableSet !== null; }
  
  idx() { return this.#idx; }
  setIdx(idx) {
    if (idx === 0) { throw new Error("waitable idx cannot be zero"); }
    this.#idx = idx;
  }
  
  setTarget(tgt) { this.target = tgt; }
  
  #resetPromise() {
    const { promise, resolve, reject } = promiseWithResolvers()
    this.#promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
  }
  
  resolve() { this.#resolve(); }
  reject(err) { this.#reject(err); }
  promise() { return this.#promise; }
  
  hasPendingEvent() {
    // _debugLog('[Waitable#hasPendingEvent()]', {
      //     componentIdx: this.#componentIdx,
      //     waitable: this,
      //     waitableSet: this.#waitableSet,
      //     hasPendingEvent: this.#pendingEventFn !== null,
      // });
      return this.#pendingEventFn !== null;
    }
    
    setPendingEvent(fn) {
      _debugLog('[Waitable#setPendingEvent()] args', {
        waitable: this,
        inSet: this.#waitableSet,
      });
      this.#pendingEventFn = fn;
    }
    
    getPendingEvent() {
      _debugLog('[Waitable#getPendingEvent()] args', {
        waitable: this,
        inSet: this.#waitableSet,
        hasPendingEvent: this.#pendingEventFn !== null,
      });
      if (this.#pendingEventFn === null) { return null; }
      const eventFn = this.#pendingEventFn;
      this.#pendingEventFn = null;
      const e = eventFn();
      this.#resetPromise();
      return e;
    }
    
    join(waitableSet) {
      _debugLog('[Waitable#join()] args', {
        waitable: this,
        waitableSet: waitableSet,
        isRemoval: waitableSet === null,
      });
      
      if (this.#waitableSet === undefined) {
        throw new TypeError('waitable set must be not be undefined');
      }
      
      if (this.#waitableSet) {
        this.#waitableSet.removeWaitable(this);
      }
      
      this.#waitableSet = waitableSet;
      
      if (waitableSet) {
        this.#waitableSet.addWaitable(this);
      }
    }
    
    drop() {
      _debugLog('[Waitable#drop()] args', {
        componentIdx: this.#componentIdx,
        waitable: this,
      });
      if (this.hasPendingEvent()) {
        throw new Error('waitables with pending events cannot be dropped');
      }
      this.join(null);
    }
    
    async waitForPendingEvent(args) {
      const { cstate } = args;
      if (!cstate) { throw new TypeError('missing component state'); }
      
      if (this.#waitableSet !== null || this.#hasSyncWaiter) {
        throw new Error("waitable is already in a set/has a sync waiter");
      }
      this.#hasSyncWaiter = true;
      await cstate.waitUntil({
        cancellable: false,
        readyFn: () => this.hasPendingEvent(),
      });
      this.#hasSyncWaiter = false;
    }
    
  }
  const INSTANCE_FLAGS = new Map();
  const STORE_TRAP = { error: null };
  const STORE_ASYNC_STATE = { deadlockCheck: null, pendingHostOperations: 0 };
  
  function _checkForDeadlock() {
    if (STORE_ASYNC_STATE.deadlockCheck !== null || STORE_TRAP.error !== null) { return; }
    STORE_ASYNC_STATE.deadlockCheck = setTimeout(() => {
      STORE_ASYNC_STATE.deadlockCheck = null;
      if (STORE_TRAP.error !== null || STORE_ASYNC_STATE.pendingHostOperations > 0) { return; }
      
      const suspendedTasks = new Set();
      for (const state of ASYNC_STATE.values()) {
        if (state.hasPendingSchedulerWork()) {
          state.runTickLoop();
          return;
        }
        for (const meta of state.suspendedTaskMetas()) {
          suspendedTasks.add(meta.task);
        }
      }
      
      const unresolvedRoots = new Set();
      for (const task of suspendedTasks) {
        const root = task.getRootTask();
        if (!root.isResolvedState()) { unresolvedRoots.add(root); }
      }
      if (unresolvedRoots.size === 0) { return; }
      
      const err = new WebAssemblyRuntimeError('wasm trap: deadlock detected: event loop cannot make further progress');
      // Which tasks were waiting, and on whose behalf. The message stays
      // exactly what the Canonical ABI calls for, so this rides alongside
      // it: a deadlock reported from a real program is otherwise a bare
      // sentence, and the state that produced it is gone by the time
      // anyone reads the failure.
      err.deadlockDetail = {
        pendingHostOperations: STORE_ASYNC_STATE.pendingHostOperations,
        suspendedTasks: [...suspendedTasks].map((task) => ({
          taskID: task.id(),
          componentIdx: task.componentIdx(),
          state: task.taskState(),
          rootTaskID: task.getRootTask().id(),
        })),
        unresolvedRootTaskIDs: [...unresolvedRoots].map((root) => root.id()),
      };
      STORE_TRAP.error = err;
      for (const root of unresolvedRoots) {
        root.setErrored(err);
        root.reject(err);
      }
      for (const task of suspendedTasks) {
        if (!task.isResolvedState() && unresolvedRoots.has(task.getRootTask())) {
          task.setErrored(err);
          task.reject(err);
        }
      }
      for (const state of ASYNC_STATE.values()) { state.runTickLoop(); }
    }, 0);
  }
  
  const CORE_TRAP_MESSAGES = new Map([
  ['unreachable', "wasm trap: wasm `unreachable` instruction executed"],
  ['memory access out of bounds', "wasm trap: out of bounds memory access"],
  ['divide by zero', "wasm trap: integer divide by zero"],
  ['remainder by zero', "wasm trap: integer divide by zero"],
  ['divide result unrepresentable', "wasm trap: integer overflow"],
  ['float unrepresentable in integer range', "wasm trap: invalid conversion to integer"],
  ['table index is out of bounds', "wasm trap: undefined element: out of bounds table access"],
  ['function signature mismatch', "wasm trap: indirect call type mismatch"],
  ['call stack exhausted', "wasm trap: call stack exhausted"],
  ]);
  function _normalizeCoreTrap(err) {
    if (!(err instanceof WebAssemblyRuntimeError)) { return err; }
    const message = CORE_TRAP_MESSAGES.get(err.message);
    if (message !== undefined) { err.message = message; }
    return err;
  }
  
  class RepTable {
    // Sentinel marking a freed slot; the freelist link for a freed slot
    // lives in the odd cell. This keeps get()/contains()/remove() on freed
    // reps well-defined (previously they returned/corrupted freelist links).
    static FREE = Symbol('RepTable.free');
    
    #data = [0, null];
    #size = 0;
    #target;
    
    constructor(args) {
      this.target = args?.target;
    }
    
    data() { return this.#data; }
    
    insert(val) {
      _debugLog('[RepTable#insert()] args', { val, target: this.target });
      const freeIdx = this.#data[0];
      if (freeIdx === 0) {
        this.#data.push(val);
        this.#data.push(null);
        const rep = (this.#data.length >> 1) - 1;
        _debugLog('[RepTable#insert()] inserted', { val, target: this.target, rep });
        this.#size += 1;
        return rep;
      }
      const placementIdx = freeIdx << 1;
      if (this.#data[placementIdx] !== RepTable.FREE) {
        throw new Error('corrupt rep table freelist: head does not point at a freed slot');
      }
      this.#data[0] = this.#data[placementIdx + 1];
      this.#data[placementIdx] = val;
      this.#data[placementIdx + 1] = null;
      _debugLog('[RepTable#insert()] inserted', { val, target: this.target, rep: freeIdx });
      this.#size += 1;
      return freeIdx;
    }
    
    get(rep) {
      _debugLog('[RepTable#get()] args', { rep, target: this.target });
      if (rep === 0) { throw new Error('invalid resource rep during get, (cannot be 0)'); }
      
      const baseIdx = rep << 1;
      const val = this.#data[baseIdx];
      if (val === RepTable.FREE) { return undefined; }
      return val;
    }
    
    contains(rep) {
      _debugLog('[RepTable#contains()] args', { rep, target: this.target });
      if (rep === 0) { throw new Error('invalid resource rep during contains, (cannot be 0)'); }
      
      const baseIdx = rep << 1;
      const val = this.#data[baseIdx];
      return val !== RepTable.FREE && !!val;
    }
    
    remove(rep) {
      _debugLog('[RepTable#remove()] args', { rep, target: this.target });
      if (rep === 0) { throw new Error('invalid resource rep during remove, (cannot be 0)'); }
      if (this.#data.length === 2) { throw new Error('invalid'); }
      
      const baseIdx = rep << 1;
      if (baseIdx >= this.#data.length) {
        throw new Error(`invalid rep [${rep}] during remove, out of range`);
      }
      const val = this.#data[baseIdx];
      if (val === RepTable.FREE) {
        throw new Error(`double removal of rep [${rep}] (already freed)`);
      }
      
      this.#data[baseIdx] = RepTable.FREE;
      this.#data[baseIdx + 1] = this.#data[0];
      this.#data[0] = rep;
      this.#size -= 1;
      
      return val;
    }
    
    size() { return this.#size; }
    
    clear() {
      _debugLog('[RepTable#clear()] args', { rep, target: this.target });
      this.#data = [0, null];
    }
  }
  
  class ComponentAsyncState {
    static EVENT_HANDLER_EVENTS = [ 'backpressure-change' ];
    
    static TickResult = {
      // no suspended tasks remain
      DONE: 'done',
      // a suspended task was resumed (more may be ready)
      RESUMED: 'resumed',
      // suspended tasks remain but none were ready
      IDLE: 'idle',
    };
    
    #componentIdx;
    #callingAsyncImport = false;
    #syncImportWait = promiseWithResolvers();
    #lockHolderTaskID = null;
    #lockWaiters = [];
    #lockHandoffScheduled = false;
    #pendingTaskStarts = 0;
    #parkedTasks = new Map();
    #suspendedTasksByTaskID = new Map();
    #suspendedTaskIDs = [];
    #errored = null;
    #trapped = false;
    #backpressure = 0;
    #backpressureWaiters = 0n;
    
    #handlerMap = new Map();
    #nextHandlerID = 0n;
    
    #tickLoop = null;
    #tickLoopInterval = null;
    
    #onExclusiveReleaseHandlers = [];
    
    #mayLeave = true;
    
    handles;
    subtasks;
    
    constructor(args) {
      this.#componentIdx = args.componentIdx;
      this.handles = new RepTable({ target: `component [${this.#componentIdx}] handles (waitable objects)` });
      this.subtasks = new RepTable({ target: `component [${this.#componentIdx}] subtasks` });
    };
    
    componentIdx() { return this.#componentIdx; }
    
    get mayLeave() {
      const flags = INSTANCE_FLAGS.get(this.#componentIdx);
      return flags === undefined ? this.#mayLeave : flags.value === 1;
    }
    set mayLeave(value) {
      if (typeof value !== 'boolean') { throw new TypeError('mayLeave must be a boolean'); }
      this.#mayLeave = value;
      const flags = INSTANCE_FLAGS.get(this.#componentIdx);
      if (flags !== undefined) { flags.value = value ? 1 : 0; }
    }
    
    errored() { return this.#errored !== null; }
    setErrored(err) {
      _debugLog('[ComponentAsyncState#setErrored()] component errored', { err, componentIdx: this.#componentIdx });
      if (this.#errored) { return; }
      if (!err) {
        err = new Error('error elswehere (see other component instance error)')
        err.componentIdx = this.#componentIdx;
      }
      this.#errored = err;
    }
    
    markTrapped(err) {
      if (!(err instanceof WebAssemblyRuntimeError)) {
        return false;
      }
      err = _normalizeCoreTrap(err);
      this.#trapped = true;
      _debugLog('[ComponentAsyncState#markTrapped()] component trapped', { err, componentIdx: this.#componentIdx });
      if (STORE_TRAP.error === null) { STORE_TRAP.error = err; }
      return true;
    }
    
    throwIfTrapped() {
      if (this.#trapped) {
        throw new WebAssemblyRuntimeError("wasm trap: cannot enter component instance");
      }
    }
    
    callingSyncImport(val) {
      if (val === undefined) { return this.#callingAsyncImport; }
      if (typeof val !== 'boolean') { throw new TypeError('invalid setting for async import'); }
      const prev = this.#callingAsyncImport;
      this.#callingAsyncImport = val;
      if (prev === true && this.#callingAsyncImport === false) {
        this.#notifySyncImportEnd();
      }
    }
    
    #notifySyncImportEnd() {
      const existing = this.#syncImportWait;
      this.#syncImportWait = promiseWithResolvers();
      existing.resolve();
    }
    
    async waitForSyncImportCallEnd() {
      await this.#syncImportWait.promise;
    }
    
    setBackpressure(v) {
      this.#backpressure = v;
      return this.#backpressure
    }
    getBackpressure() { return this.#backpressure; }
    
    incrementBackpressure() {
      const current = this.#backpressure;
      if (current < 0 || current > 2**16) {
        throw new Error(`invalid current backpressure value [${current}]`);
      }
      const newValue = this.getBackpressure() + 1;
      if (newValue >= 2**16) {
        throw new Error(`invalid new backpressure value [${newValue}], overflow`);
      }
      return this.setBackpressure(newValue);
    }
    
    decrementBackpressure() {
      const current = this.#backpressure;
      if (current < 0 || current > 2**16) {
        throw new Error(`invalid current backpressure value [${current}]`);
      }
      const newValue = Math.max(0, current - 1);
      if (newValue < 0) {
        throw new Error(`invalid new backpressure value [${newValue}], underflow`);
      }
      return this.setBackpressure(newValue);
    }
    hasBackpressure() { return this.#backpressure > 0; }
    
    waitForBackpressure() {
      let backpressureCleared = false;
      const cstate = this;
      cstate.addBackpressureWaiter();
      const handlerID = this.registerHandler({
        event: 'backpressure-change',
        fn: (bp) => {
          if (bp === 0) {
            cstate.removeHandler(handlerID);
            backpressureCleared = true;
          }
        }
      });
      return new Promise((resolve) => {
        const interval = setInterval(() => {
          if (backpressureCleared) { return; }
          clearInterval(interval);
          cstate.removeBackpressureWaiter();
          resolve(null);
        }, 0);
      });
    }
    
    registerHandler(args) {
      const { event, fn } = args;
      if (!event) { throw new Error("missing handler event"); }
      if (!fn) { throw new Error("missing handler fn"); }
      
      if (!ComponentAsyncState.EVENT_HANDLER_EVENTS.includes(event)) {
        throw new Error(`unrecognized event handler [${event}]`);
      }
      
      const handlerID = this.#nextHandlerID++;
      let handlers = this.#handlerMap.get(event);
      if (!handlers) {
        handlers = [];
        this.#handlerMap.set(event, handlers)
      }
      
      handlers.push({ id: handlerID, fn, event });
      return handlerID;
    }
    
    removeHandler(args) {
      const { event, handlerID } = args;
      const registeredHandlers = this.#handlerMap.get(event);
      if (!registeredHandlers) { return; }
      const found = registeredHandlers.find(h => h.id === handlerID);
      if (!found) { return; }
      this.#handlerMap.set(event, this.#handlerMap.get(event).filter(h => h.id !== handlerID));
    }
    
    getBackpressureWaiters() { return this.#backpressureWaiters; }
    addBackpressureWaiter() { this.#backpressureWaiters++; }
    removeBackpressureWaiter() {
      this.#backpressureWaiters--;
      if (this.#backpressureWaiters < 0) {
        throw new Error("unexepctedly negative number of backpressure waiters");
      }
    }
    
    // The per-slice mutual-exclusion lock for guest execution in this
    // component instance. Guest slices (callback invocations and
    // sync-lifted bodies) must be atomic per component even across the
    // JSPI suspensions jco introduces for host imports: wit-bindgen's
    // executors publish per-task state in single linear-memory cells
    // (the wasip3-task pointer, context-local storage discipline) that
    // an interleaved slice of the same component corrupts
    //
    // The lock is *owned*: acquisition records the holder task and
    // release is a no-op for anyone else, so a task exiting can no
    // longer drop a hold it does not own (blind acquire/release-any
    // was the previous discipline). Contended acquisition queues
    // FIFO; release hands the lock to the next waiter directly.
    isExclusivelyLocked() { return this.#lockHolderTaskID !== null; }
    exclusivelyLockedBy(taskID) { return this.#lockHolderTaskID === taskID; }
    
    exclusiveLock(taskID) {
      _debugLog('[ComponentAsyncState#exclusiveLock()]', {
        holder: this.#lockHolderTaskID,
        requester: taskID,
        componentIdx: this.#componentIdx,
      });
      if (taskID === undefined || taskID === null) {
        throw new Error('exclusive lock requires the acquiring task id');
      }
      if (this.#lockHolderTaskID !== null) {
        throw new Error(`component [${this.#componentIdx}] exclusive lock held by task [${this.#lockHolderTaskID}], requested by [${taskID}]`);
      }
      this.#lockHolderTaskID = taskID;
    }
    
    // Awaitable acquisition: takes the lock immediately when free,
    // otherwise queues FIFO behind the current holder and earlier
    // waiters. The resolved promise implies ownership.
    acquireExclusiveLock(taskID) {
      if (taskID === undefined || taskID === null) {
        throw new Error('exclusive lock requires the acquiring task id');
      }
      if (this.#lockHolderTaskID === null) {
        this.#lockHolderTaskID = taskID;
        _debugLog('[ComponentAsyncState#acquireExclusiveLock()] acquired', {
          holder: taskID,
          componentIdx: this.#componentIdx,
        });
        return;
      }
      if (this.#lockHolderTaskID === taskID) {
        throw new Error(`task [${taskID}] already holds the lock for component [${this.#componentIdx}]`);
      }
      _debugLog('[ComponentAsyncState#acquireExclusiveLock()] waiting', {
        holder: this.#lockHolderTaskID,
        requester: taskID,
        componentIdx: this.#componentIdx,
        queued: this.#lockWaiters.length,
      });
      return new Promise((resolve) => {
        this.#lockWaiters.push({ taskID, resolve });
      });
    }
    
    exclusiveRelease(taskID) {
      _debugLog('[ComponentAsyncState#exclusiveRelease()] args', {
        holder: this.#lockHolderTaskID,
        releaser: taskID,
        componentIdx: this.#componentIdx,
      });
      if (this.#lockHolderTaskID !== taskID) {
        // Ownerless releases were the historical behavior; a foreign
        // release now leaves the hold intact
        _debugLog('[ComponentAsyncState#exclusiveRelease()] ignoring foreign release', {
          holder: this.#lockHolderTaskID,
          releaser: taskID,
          componentIdx: this.#componentIdx,
        });
        return false;
      }
      
      // Make the release observable before handing the lock to the next
      // asynchronous guest slice.
      //
      // Release handlers may expose a lifted value whose consumer immediately
      // performs a synchronous call on the same component; that call must run
      // while the instance is genuinely unlocked, not via enterSync's
      // lock-free fallback code.
      this.#lockHolderTaskID = null;
      
      this.#onExclusiveReleaseHandlers = this.#onExclusiveReleaseHandlers.filter(v => !!v);
      for (const [idx, f] of this.#onExclusiveReleaseHandlers.entries()) {
        try {
          this.#onExclusiveReleaseHandlers[idx] = null;
          f();
        } catch (err) {
          _debugLog("error while executing handler for next exclusive release", err);
          throw err;
        }
      }
      this.#scheduleLockHandoff();
      return true;
    }
    
    #scheduleLockHandoff() {
      if (this.#lockHandoffScheduled || this.#lockWaiters.length === 0) { return; }
      this.#lockHandoffScheduled = true;
      queueMicrotask(() => {
        this.#lockHandoffScheduled = false;
        // A synchronous call triggered by a release handler gets the
        // first opportunity to use the unlocked component.
        //
        // Its release will leave this queued handoff in place.
        if (this.#lockHolderTaskID !== null) {
          this.#scheduleLockHandoff();
          return;
        }
        const next = this.#lockWaiters.shift();
        if (!next) { return; }
        this.#lockHolderTaskID = next.taskID;
        next.resolve();
      });
    }
    
    onNextExclusiveRelease(fn) {
      _debugLog('[ComponentAsyncState#()onNextExclusiveRelease] registering');
      this.#onExclusiveReleaseHandlers.push(fn);
    }
    
    async waitForExclusiveRelease() {
      while (this.isExclusivelyLocked()) {
        await new Promise(resolve => this.onNextExclusiveRelease(resolve));
      }
    }
    
    #getSuspendedTaskMeta(taskID) {
      return this.#suspendedTasksByTaskID.get(taskID);
    }
    
    #removeSuspendedTaskMeta(taskID) {
      _debugLog('[ComponentAsyncState#removeSuspendedTaskMeta()] removing suspended task', {
        taskID,
        componentIdx: this.#componentIdx,
      });
      const idx = this.#suspendedTaskIDs.findIndex(t => t === taskID);
      const meta = this.#suspendedTasksByTaskID.get(taskID);
      this.#suspendedTaskIDs[idx] = null;
      this.#suspendedTasksByTaskID.delete(taskID);
      return meta;
    }
    
    #addSuspendedTaskMeta(meta) {
      if (!meta) { throw new Error('missing task meta'); }
      const taskID = meta.taskID;
      this.#suspendedTasksByTaskID.set(taskID, meta);
      this.#suspendedTaskIDs.push(taskID);
      if (this.#suspendedTasksByTaskID.size < this.#suspendedTaskIDs.length - 10) {
        this.#suspendedTaskIDs = this.#suspendedTaskIDs.filter(t => t !== null);
      }
    }
    
    // TODO(threads): readyFn is normally on the thread
    suspendTask(args) {
      const { task, readyFn, cancellable, onResume } = args;
      const taskID = task.id();
      const componentIdx = task.componentIdx();
      _debugLog('[ComponentAsyncState#suspendTask()]', {
        taskID,
        componentIdx: this.#componentIdx,
        taskEntryFnName: task.entryFnName(),
        subtask: task.getParentSubtask(),
      });
      
      if (componentIdx !== this.#componentIdx) {
        throw new Error('assert: task component idx should match async state');
      }
      
      if (this.#getSuspendedTaskMeta(taskID)) {
        throw new Error(`task [${taskID}] already suspended`);
      }
      
      let promise;
      let resume;
      if (onResume) {
        resume = () => onResume(!task.isCancelled());
      } else {
        const resolvers = promiseWithResolvers();
        promise = resolvers.promise;
        resume = () => resolvers.resolve(!task.isCancelled());
      }
      this.#addSuspendedTaskMeta({
        task,
        taskID,
        cancellable,
        readyFn,
        resume: () => {
          _debugLog('[ComponentAsyncState] resuming suspended task', {
            taskID,
            componentIdx: this.#componentIdx,
          });
          // TODO(threads): it's thread cancellation we should be checking for below, not task
          resume();
        },
      });
      
      // A caller synchronously driving one task quantum (for
      // example, subtask.cancel) waits for the resumed task to
      // either resolve or suspend again.
      task.notifyProgress();
      
      this.runTickLoop();
      _checkForDeadlock();
      
      return promise;
    }
    
    resumeTaskByID(taskID) {
      const meta = this.#removeSuspendedTaskMeta(taskID);
      if (!meta) { return false; }
      if (meta.taskID !== taskID) { throw new Error('task ID does not match'); }
      meta.resume();
      return true;
    }
    
    suspendedTaskReady(taskID) {
      const meta = this.#getSuspendedTaskMeta(taskID);
      if (!meta) { return false; }
      if (!meta.readyFn) {
        throw new Error(`suspended task [${taskID}] is missing a readiness function`);
      }
      return meta.task.isRejected() || meta.readyFn();
    }
    
    suspendedTaskCancellable(taskID) {
      return !!this.#getSuspendedTaskMeta(taskID)?.cancellable;
    }
    
    isTaskSuspended(taskID) {
      return this.#suspendedTasksByTaskID.has(taskID);
    }
    
    suspendedTaskMetas() {
      return this.#suspendedTasksByTaskID.values();
    }
    
    addPendingTaskStart() { this.#pendingTaskStarts++; }
    removePendingTaskStart() { this.#pendingTaskStarts--; }
    
    hasPendingSchedulerWork() {
      if (this.#pendingTaskStarts > 0) { return true; }
      if (this.#lockHandoffScheduled) { return true; }
      for (const meta of this.#suspendedTasksByTaskID.values()) {
        if (meta.task.isRejected() || meta.readyFn()) { return true; }
      }
      return false;
    }
    
    async runTickLoop() {
      if (this.#tickLoop !== null) { return; }
      this.#tickLoop = 1;
      setTimeout(async () => {
        let result = this.tick();
        while (result !== ComponentAsyncState.TickResult.DONE) {
          if (result === ComponentAsyncState.TickResult.IDLE) {
            _checkForDeadlock();
          }
          // After resuming a task, re-tick as soon as the resumed
          // slice's microtask continuations have drained (timeout 0)
          // so queued sibling resumptions aren't charged the idle
          // polling interval; otherwise poll at the idle cadence.
          const delay = result === ComponentAsyncState.TickResult.RESUMED ? 0 : 10;
          await new Promise((resolve) => setTimeout(resolve, delay));
          result = this.tick();
        }
        this.#tickLoop = null;
      }, 10);
    }
    
    tick() {
      // _debugLog('[ComponentAsyncState#tick()]', { suspendedTaskIDs: this.#suspendedTaskIDs });
      
      const resumableTasks = this.#suspendedTaskIDs.filter(t => t !== null);
      for (const taskID of resumableTasks) {
        const meta = this.#suspendedTasksByTaskID.get(taskID);
        if (!meta || !meta.readyFn) {
          throw new Error(`missing/invalid task despite ID [${taskID}] being present`);
        }
        
        // If the task failed via any means, allow the task to resume because
        // it's been cancelled -- the callback should immediately exit as well
        if (meta.task.isRejected()) {
          _debugLog('[ComponentAsyncState#tick()] detected task rejection, leaving early', { meta });
          this.resumeTaskByID(taskID);
          return ComponentAsyncState.TickResult.RESUMED;
        }
        
        const isReady = meta.readyFn();
        if (!isReady) { continue; }
        
        _debugLog('[ComponentAsyncState#tick()] resuming task via tick', {
          taskID,
          componentIdx: this.#componentIdx,
        });
        this.resumeTaskByID(taskID);
        
        // NOTE: during single-flight resumption, we should resume at most one task per
        // tick so that the resumed slice (a microtask continuation)
        // runs -- and its current-task register window opens and
        // closes -- before any sibling task of this component is
        // resumed.
        //
        // Resuming multiple suspended tasks in one synchronous
        // cascade interleaves their register save/restore windows
        // ([restoreA, restoreB, resumeA, resumeB]), re-entering wasm
        // with the register naming the wrong task, and the
        // 'known residual' of the JSPI current-task register
        // fix); with concurrent task lifetimes per component this
        // corrupts guest context-local storage.
        return ComponentAsyncState.TickResult.RESUMED;
      }
      
      const idle = this.#suspendedTaskIDs.filter(t => t !== null).length > 0;
      return idle
      ? ComponentAsyncState.TickResult.IDLE
      : ComponentAsyncState.TickResult.DONE;
    }
    
    createWaitable(args) {
      return new Waitable({ target: args?.target, });
    }
  }
  
  function getOrCreateAsyncState(componentIdx, init) {
    if (!ASYNC_STATE.has(componentIdx)) {
      const newState = new ComponentAsyncState({ componentIdx });
      ASYNC_STATE.set(componentIdx, newState);
    }
    return ASYNC_STATE.get(componentIdx);
  }
  const GLOBAL_COMPONENT_MEMORY_MAP = new Map();
  
  function lookupMemoriesForComponent(args) {
    const { componentIdx } = args ?? {};
    if (args.componentIdx === undefined) { throw new TypeError("missing component idx"); }
    
    const metas = GLOBAL_COMPONENT_MEMORY_MAP.get(componentIdx);
    if (!metas) { return []; }
    
    if (args.memoryIdx === undefined) {
      return Object.values(metas);
    }
    
    const meta = metas[args.memoryIdx];
    return meta?.memory;
  }
  
  class AsyncSubtask {
    static _ID = 0n;
    
    static State = {
      STARTING: 0,
      STARTED: 1,
      RETURNED: 2,
      CANCELLED_BEFORE_STARTED: 3,
      CANCELLED_BEFORE_RETURNED: 4,
    };
    
    #id;
    #state = AsyncSubtask.State.STARTING;
    #componentIdx;
    
    #parentTask;
    #childTask = null;
    
    #dropped = false;
    #cancelRequested = false;
    
    #memoryIdx = null;
    #lenders = null;
    
    #waitable = null;
    
    #callbackFn = null;
    #callbackFnName = null;
    
    #postReturnFn = null;
    #onProgressFn = null;
    #pendingEventFn = null;
    
    #callMetadata = {};
    
    #resolved = false;
    
    #onResolveHandlers = [];
    #onStartHandlers = [];
    
    #result = null;
    #resultSet = false;
    
    fnName;
    target;
    isAsync;
    isManualAsync;
    // One execution slice awaited by the conditional cancel trampoline.
    cancelProgress = null;
    
    constructor(args) {
      if (typeof args.componentIdx !== 'number') {
        throw new Error('invalid componentIdx for subtask creation');
      }
      this.#componentIdx = args.componentIdx;
      
      this.#id = ++AsyncSubtask._ID;
      this.fnName = args.fnName;
      
      if (!args.parentTask) { throw new Error('missing parent task during subtask creation'); }
      this.#parentTask = args.parentTask;
      
      if (args.childTask) { this.#childTask = args.childTask; }
      
      if (args.memoryIdx) { this.#memoryIdx = args.memoryIdx; }
      
      if (!args.waitable) { throw new Error("missing/invalid waitable"); }
      this.#waitable = args.waitable;
      
      if (args.callMetadata) { this.#callMetadata = args.callMetadata; }
      
      this.#lenders = [];
      this.target = args.target;
      this.isAsync = args.isAsync;
      this.isManualAsync = args.isManualAsync;
    }
    
    id() { return this.#id; }
    parentTaskID() { return this.#parentTask?.id(); }
    childTaskID() { return this.#childTask?.id(); }
    state() { return this.#state; }
    
    waitable() { return this.#waitable; }
    waitableRep() { return this.#waitable.idx(); }
    
    join() { return this.#waitable.join(...arguments); }
    getPendingEvent() { return this.#waitable.getPendingEvent(...arguments); }
    hasPendingEvent() { return this.#waitable.hasPendingEvent(...arguments); }
    setPendingEvent() { return this.#waitable.setPendingEvent(...arguments); }
    
    setTarget(tgt) { this.target = tgt; }
    
    getResult() {
      if (!this.#resultSet) { throw new Error("subtask result has not been set") }
      return this.#result;
    }
    setResult(v) {
      if (this.#resultSet) { throw new Error("subtask result has already been set"); }
      this.#result = v;
      this.#resultSet = true;
    }
    
    componentIdx() { return this.#componentIdx; }
    
    setChildTask(t) {
      if (!t) { throw new Error('cannot set missing/invalid child task on subtask'); }
      if (this.#childTask) { throw new Error('child task is already set on subtask'); }
      if (this.#parentTask === t) { throw new Error("parent cannot be child"); }
      this.#childTask = t;
    }
    getChildTask(t) { return this.#childTask; }
    
    getParentTask() { return this.#parentTask; }
    
    setCallbackFn(f, name) {
      if (!f) { return; }
      if (this.#callbackFn) { throw new Error('callback fn can only be set once'); }
      this.#callbackFn = f;
      this.#callbackFnName = name;
    }
    
    getCallbackFnName() {
      if (!this.#callbackFn) { return undefined; }
      return this.#callbackFn.name;
    }
    
    setPostReturnFn(f) {
      if (!f) { return; }
      if (this.#postReturnFn) { throw new Error('postReturn fn can only be set once'); }
      this.#postReturnFn = f;
    }
    
    setOnProgressFn(f) {
      if (this.#onProgressFn) { throw new Error('on progress fn can only be set once'); }
      this.#onProgressFn = f;
    }
    
    isNotStarted() {
      return this.#state == AsyncSubtask.State.STARTING;
    }
    
    cancellationRequested() { return this.#cancelRequested; }
    
    // Request cooperative cancellation of this subtask, on behalf of the
    // supertask (i.e. `canon subtask.cancel`).
    //
    // If the callee is another guest task, the request is delivered to it and
    // the callee confirms via `task.cancel` (or still resolves via `task.return`).
    //
    // If the callee is a host function there is (currently) no host-side
    // cancellation hook, so the pending call is treated as immediately
    // cancelled -- consistent with hosts being expected to resolve
    // cancellation promptly -- and any later host resolution is discarded
    // (see `AsyncTask#onResolve`).
    requestCancellation() {
      _debugLog('[AsyncSubtask#requestCancellation()] args', {
        componentIdx: this.#componentIdx,
        subtaskID: this.#id,
        state: this.#state,
        childTaskID: this.childTaskID(),
        fnName: this.fnName,
      });
      if (this.#cancelRequested) {
        throw new Error('cancellation has already been requested for this subtask');
      }
      this.#cancelRequested = true;
      
      if (this.#resolved) { return; }
      
      if (this.#childTask) {
        this.#childTask.requestCancellation();
        return;
      }
      
      this.onResolve(null);
    }
    
    registerOnStartHandler(f) {
      this.#onStartHandlers.push(f);
    }
    
    onStart(args) {
      _debugLog('[AsyncSubtask#onStart()] args', {
        componentIdx: this.#componentIdx,
        subtaskID: this.#id,
        parentTaskID: this.parentTaskID(),
        fnName: this.fnName,
        args,
      });
      
      if (this.#onProgressFn) { this.#onProgressFn(); }
      
      // Starting a nested operation is a task execution boundary.
      // In particular, a cancellation handler may synchronously
      // enter an import which then suspends in the host.  Wake a
      // supertask that is driving one cancellation slice so an
      // async `subtask.cancel` can report BLOCKED without waiting
      // for that nested operation to finish.
      this.#parentTask.notifyProgress();
      
      this.#state = AsyncSubtask.State.STARTED;
      
      let result;
      
      // If we have been provided a helper start function as a result of
      // component fusion performed by wasmtime tooling, then we can call that helper and lifts/lowers will
      // be performed for us.
      //
      // See also documentation on `HostIntrinsic::PrepareCall`
      //
      if (this.#callMetadata.startFn) {
        result = this.#callMetadata.startFn.apply(null, args?.startFnParams ?? []);
      }
      
      return result;
    }
    
    
    registerOnResolveHandler(f) {
      this.#onResolveHandlers.push(f);
    }
    
    reject(subtaskErr) {
      if (this.#resolved) { return; }
      
      if (this.#onProgressFn) { this.#onProgressFn(); }
      
      if (this.#state === AsyncSubtask.State.STARTING) {
        this.#state = AsyncSubtask.State.CANCELLED_BEFORE_STARTED;
      } else if (this.#state === AsyncSubtask.State.STARTED) {
        this.#state = AsyncSubtask.State.CANCELLED_BEFORE_RETURNED;
      } else {
        throw new Error('cannot reject a completed subtask');
      }
      
      this.#resolved = true;
      this.#parentTask.removeSubtask(this);
      this.#parentTask.reject(subtaskErr);
    }
    
    onResolve(subtaskValue) {
      _debugLog('[AsyncSubtask#onResolve()] args', {
        componentIdx: this.#componentIdx,
        subtaskID: this.#id,
        isAsync: this.isAsync,
        childTaskID: this.childTaskID(),
        parentTaskID: this.parentTaskID(),
        parentTaskFnName: this.#parentTask?.entryFnName(),
        fnName: this.fnName,
      });
      
      if (this.#resolved) {
        throw new Error('subtask has already been resolved');
      }
      
      if (this.#onProgressFn) { this.#onProgressFn(); }
      
      if (subtaskValue === null && this.#cancelRequested) {
        if (this.#state === AsyncSubtask.State.STARTING) {
          this.#state = AsyncSubtask.State.CANCELLED_BEFORE_STARTED;
        } else {
          if (this.#state !== AsyncSubtask.State.STARTED) {
            throw new Error('resolved subtask must have been started before cancellation');
          }
          this.#state = AsyncSubtask.State.CANCELLED_BEFORE_RETURNED;
        }
      } else {
        if (this.#state !== AsyncSubtask.State.STARTED) {
          throw new Error('resolved subtask must have been started before completion');
        }
        this.#state = AsyncSubtask.State.RETURNED;
      }
      
      this.setResult(subtaskValue);
      
      for (const f of this.#onResolveHandlers) {
        try {
          f(subtaskValue);
        } catch (err) {
          console.error("error during subtask resolve handler", err);
          throw err;
        }
      }
      
      const callMetadata = this.getCallMetadata();
      
      // TODO(fix): we should be able to easily have the caller's meomry
      // to lower into here, but it's not present in PrepareCall
      const memory = callMetadata.memory ?? this.#parentTask?.getReturnMemory() ?? lookupMemoriesForComponent({ componentIdx: this.#parentTask?.componentIdx() })[0];
      // NOTE: cancelled resolutions carry no value, so nothing is lowered
      const returned = this.#state === AsyncSubtask.State.RETURNED;
      if (returned && callMetadata && !callMetadata.returnFn && (this.isAsync || callMetadata.funcTypeIsAsync) && callMetadata.resultPtr && memory) {
        const { resultPtr, realloc } = callMetadata;
        const lowers = callMetadata.lowers; // may have been updated in task.return of the child
        if (lowers && lowers.length > 0) {
          lowers[0]({
            componentIdx: this.#componentIdx,
            memory,
            realloc,
            vals: [subtaskValue],
            storagePtr: resultPtr,
            stringEncoding: callMetadata.stringEncoding,
          });
        }
      }
      
      this.#resolved = true;
      this.#parentTask.removeSubtask(this);
      
      if (!this.isAsync) {
        this.deliverResolve();
        const rep = this.waitableRep();
        if (rep) {
          try {
            const removed = this.#getComponentState().handles.remove(rep);
            if (removed !== this) {
              throw new Error("unexpectedly received non-self Subtask from handle removal");
            }
            this.drop();
          } catch (err) {
            _debugLog('[AsyncSubtask#onResolve()] failed to remove subtask after sync subtask completion', err);
          }
        }
      }
    }
    
    getStateNumber() { return this.#state; }
    isReturned() { return this.#state === AsyncSubtask.State.RETURNED; }
    
    getCallMetadata() { return this.#callMetadata; }
    
    isResolved() {
      if (this.#state === AsyncSubtask.State.STARTING
      || this.#state === AsyncSubtask.State.STARTED) {
        return false;
      }
      if (this.#state === AsyncSubtask.State.RETURNED
      || this.#state === AsyncSubtask.State.CANCELLED_BEFORE_STARTED
      || this.#state === AsyncSubtask.State.CANCELLED_BEFORE_RETURNED) {
        return true;
      }
      throw new Error('unrecognized internal Subtask state [' + this.#state + ']');
    }
    
    addLender(handle) {
      _debugLog('[AsyncSubtask#addLender()] args', { handle });
      if (!Number.isNumber(handle)) { throw new Error('missing/invalid lender handle [' + handle + ']'); }
      
      if (this.#lenders.length === 0 || this.isResolved()) {
        throw new Error('subtask has no lendors or has already been resolved');
      }
      
      handle.lends++;
      this.#lenders.push(handle);
    }
    
    deliverResolve() {
      _debugLog('[AsyncSubtask#deliverResolve()] args', {
        lenders: this.#lenders,
        parentTaskID: this.parentTaskID(),
        subtaskID: this.#id,
        childTaskID: this.childTaskID(),
        resolved: this.isResolved(),
        resolveDelivered: this.resolveDelivered(),
      });
      
      const cannotDeliverResolve = this.resolveDelivered() || !this.isResolved();
      if (cannotDeliverResolve) {
        throw new Error('subtask cannot deliver resolution twice, and the subtask must be resolved');
      }
      
      for (const lender of this.#lenders) {
        lender.lends--;
      }
      
      this.#lenders = null;
    }
    
    resolveDelivered() {
      _debugLog('[AsyncSubtask#resolveDelivered()] args', { });
      if (this.#lenders === null && !this.isResolved()) {
        throw new Error('invalid subtask state, lenders missing and subtask has not been resolved');
      }
      return this.#lenders === null;
    }
    
    drop() {
      _debugLog('[AsyncSubtask#drop()] args', {
        componentIdx: this.#componentIdx,
        parentTaskID: this.#parentTask?.id(),
        parentTaskFnName: this.#parentTask?.entryFnName(),
        childTaskID: this.#childTask?.id(),
        childTaskFnName: this.#childTask?.entryFnName(),
        subtaskFnName: this.fnName,
      });
      if (!this.#waitable) { throw new Error('missing/invalid inner waitable'); }
      if (!this.resolveDelivered()) {
        throw new Error('cannot drop a subtask which has not yet resolved');
      }
      if (this.#waitable) { this.#waitable.drop() }
      this.#dropped = true;
    }
    
    #getComponentState() {
      const state = getOrCreateAsyncState(this.#componentIdx);
      if (!state) {
        throw new Error('invalid/missing async state for component [' + componentIdx + ']');
      }
      return state;
    }
    
    getWaitableHandleIdx() {
      _debugLog('[AsyncSubtask#getWaitableHandleIdx()] args', { });
      if (!this.#waitable) { throw new Error('missing/invalid waitable'); }
      return this.waitableRep();
    }
  }
  
  class FutureValue {
    #start;
    #settled;
    #hideThen = 0;
    #thenFn;
    
    constructor(start) {
      if (typeof start !== 'function') {
        throw new TypeError('future start operation must be a function');
      }
      this.#start = start;
      this.#thenFn = this.#then.bind(this);
    }
    
    get then() {
      return this.#hideThen === 0 ? this.#thenFn : undefined;
    }
    
    #read() {
      if (!this.#settled) {
        // The start operation resolves to a non-thenable box so a
        // future-valued payload cannot be assimilated by this Promise.
        this.#settled = Promise.resolve().then(this.#start);
      }
      return this.#settled;
    }
    
    resolveAsValue(resolve) {
      this.#hideThen++;
      try {
        resolve(this);
      } finally {
        this.#hideThen--;
      }
    }
    
    #deliver(resolve, value) {
      if (value instanceof FutureValue) {
        // Promise resolution reads `then` synchronously. Hide it only
        // for that lookup so resolving this layer yields the inner
        // FutureValue instead of recursively awaiting it.
        value.resolveAsValue(resolve);
        return;
      }
      resolve(value);
    }
    
    #then(resolve, reject) {
      return this.#read().then(
      box => this.#deliver(resolve, box.value),
      reject,
      );
    }
  }
  const ASYNC_DETERMINISM = 'random';
  const _coinFlip = () => { return Math.random() > 0.5; };
  
  const ASYNC_EVENT_CODE = {
    NONE: 0,
    SUBTASK: 1,
    STREAM_READ: 2,
    STREAM_WRITE: 3,
    FUTURE_READ: 4,
    FUTURE_WRITE: 5,
    TASK_CANCELLED: 6,
  };
  const CURRENT_TASK_META = {};
  
  function _withGlobalCurrentTaskMeta(args) {
    _debugLog('[_withGlobalCurrentTaskMeta()] args', args);
    if (!args) { throw new TypeError('args missing'); }
    if (args.taskID === undefined) { throw new TypeError('missing task ID'); }
    if (args.componentIdx === undefined) { throw new TypeError('missing component idx'); }
    if (!args.fn) { throw new TypeError('missing fn'); }
    const { taskID, componentIdx, fn } = args;
    const previous = CURRENT_TASK_META[componentIdx] ?? null;
    const previousCurrent = CURRENT_TASK_META.current ?? null;
    
    try {
      CURRENT_TASK_META.current =
      CURRENT_TASK_META[componentIdx] = { taskID, componentIdx };
      return fn();
    } catch (err) {
      _debugLog("error while executing sync callee/callback", {
        ...args,
        err,
      });
      throw err;
    } finally {
      // Synchronous wrappers can nest without any intervening JS
      // scheduling. Restore the caller rather than clearing it so
      // helper core exports (for example fused return adapters) can
      // temporarily run under a different task of the same component.
      CURRENT_TASK_META[componentIdx] = previous;
      CURRENT_TASK_META.current = previousCurrent;
    }
  }
  
  async function _withGlobalCurrentTaskMetaAsync(args) {
    _debugLog('[_withGlobalCurrentTaskMetaAsync()] args', args);
    if (!args) { throw new TypeError('args missing'); }
    if (args.taskID === undefined) { throw new TypeError('missing task ID'); }
    if (args.componentIdx === undefined) { throw new TypeError('missing component idx'); }
    if (!args.fn) { throw new TypeError('missing fn'); }
    
    const { taskID, componentIdx, fn } = args;
    
    try {
      CURRENT_TASK_META.current =
      CURRENT_TASK_META[componentIdx] = { taskID, componentIdx };
      return await fn();
    } catch (err) {
      _debugLog("error while executing async callee/callback", {
        ...args,
        err,
      });
      throw err;
    } finally {
      CURRENT_TASK_META[componentIdx] = null;
      if (CURRENT_TASK_META.current?.taskID === taskID) {
        CURRENT_TASK_META.current = null;
      }
    }
  }
  
  class AsyncTask {
    static _ID = 0n;
    
    static State = {
      INITIAL: 'initial',
      CANCELLED: 'cancelled',
      CANCEL_PENDING: 'cancel-pending',
      CANCEL_DELIVERED: 'cancel-delivered',
      RESOLVED: 'resolved',
    }
    
    static BlockResult = {
      CANCELLED: 'block.cancelled',
      NOT_CANCELLED: 'block.not-cancelled',
    }
    
    #id;
    #componentIdx;
    #state;
    #isAsync;
    #isManualAsync;
    #callingWasmExport = true;
    #lockFreeEntry = false;
    #preserveFutureResult;
    #entryFnName = null;
    
    #onResolveHandlers = [];
    #progressWaiters = [];
    #completionPromise = null;
    #completionValue;
    #completionReady = false;
    #settleCompletionPromise;
    #rejected = false;
    
    #exitPromise = null;
    #onExitHandlers = [];
    
    #memoryIdx = null;
    #memory = null;
    
    #callbackFn = null;
    #callbackFnName = null;
    
    #postReturnFn = null;
    
    #getCalleeParamsFn = null;
    #calleeIsAsync = null;
    
    #stringEncoding = null;
    
    #parentSubtask = null;
    
    #errHandling;
    
    #backpressurePromise;
    #backpressureWaiters = 0n;
    
    #returnLowerFns = null;
    
    #resourceScopeId;
    #resourceBorrowCount = 0;
    #resourceLenders = [];
    #resourceScopeExited = false;
    
    #subtasks = [];
    
    #entered = false;
    #exited = false;
    #errored = null;
    
    cancelled = false;
    cancelRequested = false;
    alwaysTaskReturn = false;
    
    returnCalls =  0;
    storage = [0, 0];
    tmpRetI64HighBits = 0|0;
    
    constructor(opts) {
      this.#id = ++AsyncTask._ID;
      this.#resourceScopeId = ++RESOURCE_SCOPE_ID;
      RESOURCE_SCOPE_TASKS.set(this.#resourceScopeId, this);
      
      if (opts?.componentIdx === undefined) {
        throw new TypeError('missing component id during task creation');
      }
      this.#componentIdx = opts.componentIdx;
      
      this.#state = AsyncTask.State.INITIAL;
      this.#isAsync = opts?.isAsync ?? false;
      this.#isManualAsync = opts?.isManualAsync ?? false;
      this.#preserveFutureResult = opts?.preserveFutureResult ?? false;
      this.#entryFnName = opts.entryFnName;
      // Tasks that execute guest slices (export calls, fused
      // callees) default to true; import-handler tasks pass false
      // explicitly (they run host code nested inside the caller's
      // already-locked slice).
      this.#callingWasmExport = opts?.callingWasmExport !== false;
      
      const {
        promise: completionPromise,
        resolve: resolveCompletionPromise,
        reject: rejectCompletionPromise,
      } = promiseWithResolvers();
      this.#completionPromise = completionPromise;
      // A nested rejection can reach the root task while its Wasm
      // entrypoint is still suspended, before the export wrapper awaits
      // this promise. Mark it handled immediately while preserving the
      // original rejected promise for the eventual caller.
      completionPromise.catch(() => {});
      
      let completionSettled = false;
      const settleCompletionPromise = () => {
        if (completionSettled || !this.#completionReady) { return; }
        completionSettled = true;
        if (this.#errored !== null) {
          rejectCompletionPromise(this.#errored);
        } else if (this.#rejected) {
          rejectCompletionPromise(this.#completionValue);
        } else if (
        this.#preserveFutureResult
        && this.#completionValue instanceof FutureValue
        ) {
          this.#completionValue.resolveAsValue(resolveCompletionPromise);
        } else {
          resolveCompletionPromise(this.#completionValue);
        }
      };
      
      this.#settleCompletionPromise = settleCompletionPromise;
      this.#onResolveHandlers.push((results) => {
        if (this.#parentSubtask !== null) { return; }
        if (!this.#isAsync && !this.#isManualAsync) { return; }
        this.#completionValue = results;
        this.#completionReady = true;
        // Publish after the current guest slice returns, so a trap
        // in that slice can still reject the call. Do not wait for
        // task exit: detached work may require further host calls
        // or consumption of a returned resource's stream.
      });
      
      const {
        promise: exitPromise,
        resolve: resolveExitPromise,
        reject: rejectExitPromise,
      } = promiseWithResolvers();
      this.#exitPromise = exitPromise;
      
      this.#onExitHandlers.push(() => {
        if (this.#parentSubtask === null && (this.#isAsync || this.#isManualAsync)) {
          settleCompletionPromise();
        }
        resolveExitPromise();
      });
      
      if (opts.callbackFn) { this.#callbackFn = opts.callbackFn; }
      if (opts.callbackFnName) { this.#callbackFnName = opts.callbackFnName; }
      
      if (opts.getCalleeParamsFn) { this.#getCalleeParamsFn = opts.getCalleeParamsFn; }
      if (opts.stringEncoding) { this.#stringEncoding = opts.stringEncoding; }
      
      if (opts.parentSubtask) { this.#parentSubtask = opts.parentSubtask; }
      
      
      if (opts.errHandling) { this.#errHandling = opts.errHandling; }
    }
    
    taskState() { return this.#state; }
    id() { return this.#id; }
    componentIdx() { return this.#componentIdx; }
    entryFnName() { return this.#entryFnName; }
    
    resourceScopeId() { return this.#resourceScopeId; }
    
    addBorrowedHandle() {
      if (this.#resourceScopeExited) {
        throw new Error('cannot add a borrow to an exited resource scope');
      }
      this.#resourceBorrowCount++;
    }
    
    removeBorrowedHandle() {
      if (this.#resourceBorrowCount === 0) {
        throw new Error('resource borrow count underflow');
      }
      this.#resourceBorrowCount--;
    }
    
    addResourceLender(table, handle) {
      if (this.#resourceScopeExited) {
        throw new Error('cannot add a lender to an exited resource scope');
      }
      this.#resourceLenders.push({ table, handle });
    }
    
    validateResourceBorrowScope() {
      if (this.#resourceScopeExited) { return; }
      if (this.#resourceBorrowCount !== 0) {
        throw new WebAssemblyRuntimeError('borrow handles still remain at the end of the call');
      }
      for (const { table, handle } of this.#resourceLenders) {
        const idx = handle << 1;
        const lendCount = table[idx];
        if (!Number.isInteger(lendCount) || lendCount <= 0 || lendCount >= 2**30) {
          throw new Error('invalid resource lender state at scope exit');
        }
        table[idx] = lendCount - 1;
      }
      this.#resourceLenders = [];
      this.#resourceScopeExited = true;
      RESOURCE_SCOPE_TASKS.delete(this.#resourceScopeId);
    }
    
    completionPromise() { return this.#completionPromise; }
    settleCompletion() { this.#settleCompletionPromise(); }
    exitPromise() { return this.#exitPromise; }
    
    waitForProgress() {
      const { promise, resolve } = promiseWithResolvers();
      this.#progressWaiters.push(resolve);
      return promise;
    }
    
    notifyProgress() {
      const waiters = this.#progressWaiters;
      this.#progressWaiters = [];
      for (const resolve of waiters) { resolve(); }
    }
    
    isAsync() { return this.#isAsync; }
    isManualAsync() { return this.#isManualAsync; }
    isSync() { return !this.isAsync(); }
    
    getErrHandling() { return this.#errHandling; }
    
    hasCallback() { return this.#callbackFn !== null; }
    
    getReturnMemoryIdx() { return this.#memoryIdx; }
    setReturnMemoryIdx(idx) {
      if (idx === null) { return; }
      this.#memoryIdx = idx;
    }
    
    getReturnMemory() { return this.#memory; }
    setReturnMemory(m) {
      if (m === null) { return; }
      this.#memory = m;
    }
    
    setReturnLowerFns(fns) { this.#returnLowerFns = fns; }
    getReturnLowerFns() { return this.#returnLowerFns; }
    
    setCalleeIsAsync(value) {
      if (typeof value !== 'boolean') { throw new TypeError('callee async state must be a boolean'); }
      this.#calleeIsAsync = value;
    }
    
    setParentSubtask(subtask) {
      if (!subtask || !(subtask instanceof AsyncSubtask)) { return }
      if (this.#parentSubtask) { throw new Error('parent subtask can only be set once'); }
      this.#parentSubtask = subtask;
    }
    
    getParentSubtask() { return this.#parentSubtask; }
    
    // TODO(threads): this is very inefficient, we can pass along a root task,
    // and ideally do not need this once thread support is in place
    getRootTask() {
      let currentSubtask = this.getParentSubtask();
      let task = this;
      while (currentSubtask) {
        task = currentSubtask.getParentTask();
        currentSubtask = task.getParentSubtask();
      }
      return task;
    }
    
    setPostReturnFn(f) {
      if (!f) { return; }
      if (this.#postReturnFn) { throw new Error('postReturn fn can only be set once'); }
      this.#postReturnFn = f;
    }
    
    setCallbackFn(f, name) {
      if (!f) { return; }
      if (this.#callbackFn) { throw new Error('callback fn can only be set once'); }
      this.#callbackFn = f;
      this.#callbackFnName = name;
    }
    
    getCallbackFnName() {
      if (!this.#callbackFnName) { return undefined; }
      return this.#callbackFnName;
    }
    
    runCallbackFn(...args) {
      if (!this.#callbackFn) { throw new Error('no callback function has been set for task'); }
      if (this.#callbackFn._jcoMaySuspend === false) {
        return _withGlobalCurrentTaskMeta({
          taskID: this.#id,
          componentIdx: this.#componentIdx,
          fn: () => this.#callbackFn.apply(null, args),
        });
      }
      return _withGlobalCurrentTaskMetaAsync({
        taskID: this.#id,
        componentIdx: this.#componentIdx,
        fn: () => { return this.#callbackFn.apply(null, args); }
      });
    }
    
    getCalleeParams() {
      if (!this.#getCalleeParamsFn) { throw new Error('missing/invalid getCalleeParamsFn'); }
      return this.#getCalleeParamsFn();
    }
    
    // Legacy manually-async exports are sync-typed in the component
    // but use JSPI precisely so their guest stack may suspend.
    mayBlock() { return this.isAsync() || this.isManualAsync() || this.isResolvedState() }
    
    mayEnter(task) {
      const cstate = getOrCreateAsyncState(this.#componentIdx);
      if (cstate.hasBackpressure()) {
        _debugLog('[AsyncTask#mayEnter()] disallowed due to backpressure', { taskID: this.#id });
        return false;
      }
      if (!cstate.callingSyncImport()) {
        _debugLog('[AsyncTask#mayEnter()] disallowed due to sync import call', { taskID: this.#id });
        return false;
      }
      const callingSyncExportWithSyncPending = cstate.callingSyncExport && !task.isAsync;
      if (!callingSyncExportWithSyncPending) {
        _debugLog('[AsyncTask#mayEnter()] disallowed due to sync export w/ sync pending', { taskID: this.#id });
        return false;
      }
      return true;
    }
    
    enterSync() {
      if (this.needsExclusiveLock()) {
        const cstate = getOrCreateAsyncState(this.#componentIdx);
        if (!cstate.isExclusivelyLocked()) {
          cstate.exclusiveLock(this.#id);
        } else {
          // A host-called sync export arriving while another
          // task's slice holds the lock: synchronous entry
          // cannot wait, and historically this entry silently
          // stole the hold. Run without the lock instead --
          // the holder's bookkeeping stays intact and its
          // release still pairs
          this.#lockFreeEntry = true;
          _debugLog('[AsyncTask#enterSync()] entering without exclusive lock', {
            taskID: this.#id,
            componentIdx: this.#componentIdx,
          });
        }
      }
      return true;
    }
    
    tryEnter() {
      if (this.#entered) {
        throw new Error(`task with ID [${this.#id}] should not be entered twice`);
      }
      
      if (this.deliverPendingCancel({ cancellable: true })) {
        this.cancel();
        return false;
      }
      
      const cstate = getOrCreateAsyncState(this.#componentIdx);
      if (this.isSync()) {
        this.#entered = true;
        return true;
      }
      if (cstate.hasBackpressure()) { return null; }
      if (this.needsExclusiveLock()) {
        if (cstate.isExclusivelyLocked()) { return null; }
        cstate.exclusiveLock(this.#id);
      }
      
      if (this.deliverPendingCancel({ cancellable: true })) {
        cstate.exclusiveRelease(this.#id);
        this.cancel();
        return false;
      }
      
      this.#entered = true;
      return true;
    }
    
    async enter(opts) {
      _debugLog('[AsyncTask#enter()] args', {
        taskID: this.#id,
        componentIdx: this.#componentIdx,
        subtaskID: this.getParentSubtask()?.id(),
        args: opts,
        entryFnName: this.#entryFnName,
      });
      
      if (this.#entered) {
        throw new Error(`task with ID [${this.#id}] should not be entered twice`);
      }
      
      // If cancellation was requested before the task was entered, resolve
      // as cancelled without ever running guest code
      if (this.deliverPendingCancel({ cancellable: true })) {
        this.cancel();
        return false;
      }
      
      const cstate = getOrCreateAsyncState(this.#componentIdx);
      
      if (opts?.isHost) {
        this.#entered = true;
        // A guest task may be synchronously blocked in this
        // host entry. Propagate that boundary so an async
        // cancellation driver can yield BLOCKED while the host
        // operation is outstanding.
        const parentTask = this.#parentSubtask?.getParentTask();
        if (
        parentTask?.taskState() === AsyncTask.State.CANCEL_DELIVERED
        || (parentTask && !parentTask.hasCallback())
        ) {
          parentTask.notifyProgress();
        }
        return this.#entered;
      }
      
      // NOTE: concurrent task lifetimes within one component instance are
      // permitted by the Component Model: entry is governed by the
      // backpressure and exclusive-lock checks below (the lock is held per
      // execution slice, not for the task's lifetime).
      //
      // Serializing entire task lifetimes here (the former "execution slot" queue)
      // deadlocks pipelines where a parked long-lived task's progress depends on a
      // later entry into the same component.
      
      // If a task is synchronous then we can avoid component-relevant
      // tracking and immediately enter.
      if (this.isSync()) {
        this.#entered = true;
        
        // TODO(breaking): remove once manually-specifying async fns is removed
        // It is currently possible for an actually sync export to be specified
        // as async via JSPI
        if (this.#isManualAsync) {
          if (this.needsExclusiveLock()) { await cstate.acquireExclusiveLock(this.#id); }
        }
        
        return this.#entered;
      }
      
      // Perform intial backpressure check
      if (cstate.hasBackpressure()) {
        cstate.addBackpressureWaiter();
        
        const result = await this.waitUntil({
          readyFn: () => {
            return !cstate.hasBackpressure();
          },
          cancellable: true,
        });
        
        cstate.removeBackpressureWaiter();
        
        if (!result || this.isCancelled()) {
          if (!this.isResolvedState()) { this.cancel(); }
          return false;
        }
      }
      
      // Acquire the per-slice exclusive lock (FIFO-queued when
      // contended); the first slice runs under this hold and the
      // driver loop releases/re-acquires it per slice thereafter.
      if (this.needsExclusiveLock()) {
        await cstate.acquireExclusiveLock(this.#id);
      }
      
      // Cancellation-before-start may resolve this task while its
      // queued lock acquisition is still pending. Acquiring the lock
      // does not make the already-resolved task runnable again.
      if (this.isResolvedState() || this.isCancelled()) {
        cstate.exclusiveRelease(this.#id);
        return false;
      }
      
      // Cancellation can be requested while entry is waiting for
      // backpressure or its exclusive lock. Do not execute the guest
      // after acquiring a lock for a task that should no longer start.
      if (this.deliverPendingCancel({ cancellable: true })) {
        cstate.exclusiveRelease(this.#id);
        this.cancel();
        return false;
      }
      
      this.#entered = true;
      return this.#entered;
    }
    
    isRunningState() { return this.#state !== AsyncTask.State.RESOLVED; }
    isResolvedState() { return this.#state === AsyncTask.State.RESOLVED; }
    isResolved() { return this.#state === AsyncTask.State.RESOLVED; }
    isExited() { return this.#exited; }
    
    async waitUntil(opts) {
      const { readyFn, cancellable } = opts;
      _debugLog('[AsyncTask#waitUntil()] args', { taskID: this.#id, args: { cancellable } });
      
      // TODO(fix): check for cancel
      // TODO(fix): determinism
      // TODO(threads): add this thread to waiting list
      
      const keepGoing = await this.suspendUntil({
        readyFn,
        cancellable,
      });
      
      return keepGoing;
    }
    
    async yieldUntil(opts) {
      const { readyFn, cancellable } = opts;
      _debugLog('[AsyncTask#yieldUntil()]', {
        taskID: this.#id,
        args: {
          cancellable,
        },
        componentIdx: this.#componentIdx,
      });
      
      // A callback YIELD is an explicit request to let other work run.
      // Unlike waits whose condition is already ready, it must always
      // suspend for at least one scheduler turn.
      const keepGoing = await this.immediateSuspend({ readyFn, cancellable });
      if (keepGoing) {
        return {
          code: ASYNC_EVENT_CODE.NONE,
          payload0: 0,
          payload1: 0,
        };
      }
      
      return {
        code: ASYNC_EVENT_CODE.TASK_CANCELLED,
        payload0: 0,
        payload1: 0,
      };
    }
    
    async suspendUntil(opts) {
      const { cancellable, readyFn } = opts;
      _debugLog('[AsyncTask#suspendUntil()] args', {
        taskID: this.#id,
        args: {
          cancellable,
        },
        componentIdx: this.#componentIdx,
      });
      
      const pendingCancelled = this.deliverPendingCancel({ cancellable });
      if (pendingCancelled) { return false; }
      
      const completed = await this.immediateSuspendUntil({ readyFn, cancellable });
      return completed;
    }
    
    suspendUntilCallback(opts, onResume) {
      const { cancellable, readyFn } = opts;
      if (this.deliverPendingCancel({ cancellable })) {
        onResume(false);
        return;
      }
      
      const cstate = getOrCreateAsyncState(this.#componentIdx);
      cstate.suspendTask({
        task: this,
        cancellable,
        readyFn: () => {
          if (cancellable && this.#state === AsyncTask.State.CANCEL_PENDING) {
            return true;
          }
          return readyFn();
        },
        onResume: (keepGoing) => {
          if (keepGoing && this.deliverPendingCancel({ cancellable })) {
            keepGoing = false;
          }
          onResume(keepGoing);
        },
      });
    }
    
    // TODO(threads): equivalent to thread.suspend_until()
    async immediateSuspendUntil(opts) {
      const { cancellable, readyFn } = opts;
      _debugLog('[AsyncTask#immediateSuspendUntil()] args', {
        args: {
          cancellable,
          readyFn,
        },
        taskID: this.#id,
        componentIdx: this.#componentIdx,
      });
      
      const ready = readyFn();
      if (ready && ASYNC_DETERMINISM === 'random') {
        const coinFlip = _coinFlip();
        if (coinFlip) { return true }
      }
      
      const keepGoing = await this.immediateSuspend({ cancellable, readyFn });
      return keepGoing;
    }
    
    async immediateSuspend(opts) { // NOTE: equivalent to thread.suspend()
    // TODO(threads): store readyFn on the thread
    const { cancellable, readyFn } = opts;
    _debugLog('[AsyncTask#immediateSuspend()] args', { cancellable, readyFn });
    
    const pendingCancelled = this.deliverPendingCancel({ cancellable });
    if (pendingCancelled) { return false; }
    
    const cstate = getOrCreateAsyncState(this.#componentIdx);
    const keepGoing = await cstate.suspendTask({
      task: this,
      cancellable,
      readyFn: () => {
        // A pending cancellation request wakes cancellable waits
        if (cancellable && this.#state === AsyncTask.State.CANCEL_PENDING) {
          return true;
        }
        return readyFn();
      },
    });
    if (keepGoing && this.deliverPendingCancel({ cancellable })) { return false; }
    return keepGoing;
  }
  
  deliverPendingCancel(opts) {
    const { cancellable } = opts;
    _debugLog('[AsyncTask#deliverPendingCancel()]', {
      args: { cancellable },
      taskID: this.#id,
      componentIdx: this.#componentIdx,
    });
    
    if (cancellable && this.#state === AsyncTask.State.CANCEL_PENDING) {
      this.#state = AsyncTask.State.CANCEL_DELIVERED;
      return true;
    }
    
    return false;
  }
  
  isCancelled() { return this.cancelled }
  cancellationRequested() { return this.cancelRequested; }
  
  // Request cooperative cancellation of this task, called on behalf of a
  // supertask performing `subtask.cancel` on the subtask this task backs.
  //
  // The request is delivered at this task's next cancellable wait
  // (see suspendUntil/immediateSuspend), at which point the task is
  // expected to acknowledge via `task.cancel` or still resolve via
  // `task.return`.
  requestCancellation() {
    _debugLog('[AsyncTask#requestCancellation()] args', {
      taskID: this.#id,
      componentIdx: this.#componentIdx,
      state: this.#state,
    });
    if (this.isResolvedState() || this.cancelRequested) { return; }
    this.cancelRequested = true;
    if (this.#state === AsyncTask.State.INITIAL) {
      this.#state = AsyncTask.State.CANCEL_PENDING;
    }
    // Nudge the component's tick loop so that any suspended cancellable
    // wait observes the pending cancellation promptly
    getOrCreateAsyncState(this.#componentIdx).runTickLoop();
  }
  
  cancel(args) {
    _debugLog('[AsyncTask#cancel()] args', { });
    if (this.taskState() !== AsyncTask.State.CANCEL_DELIVERED) {
      throw new Error(`(component [${this.#componentIdx}]) task [${this.#id}] invalid task state [${this.taskState()}] for cancellation`);
    }
    this.validateResourceBorrowScope();
    this.cancelled = true;
    // Cancelled tasks resolve with no value (spec: `Task.cancel` calls
    // `on_resolve(None)`); an explicit error is only present on the
    // host-driven rejection path (see `reject()`).
    this.onResolve(args?.error ?? null);
    this.#state = AsyncTask.State.RESOLVED;
    // A task cancelled before entry has no driver loop that can
    // report its exit. Entered tasks notify after releasing their
    // component slice in `exit()`.
    if (!this.#entered) { this.notifyProgress(); }
  }
  
  onResolve(taskValue) {
    const handlers = this.#onResolveHandlers;
    this.#onResolveHandlers = [];
    for (const f of handlers) {
      try {
        f(taskValue);
      } catch (err) {
        _debugLog("[AsyncTask#onResolve] error during task resolve handler", err);
        throw err;
      }
    }
    
    // Rejections are control-flow failures, not canonical ABI results.
    // Propagate them through the subtask chain without running return
    // lowering or post-return hooks for a successful result.
    if (this.#rejected) {
      this.#parentSubtask?.reject(taskValue);
      return;
    }
    
    // NOTE: if the parent subtask has already been resolved (e.g. it was
    // cancelled via `subtask.cancel` while this task was still pending),
    // this task's resolution must be discarded rather than delivered.
    const parentSubtaskPending = this.#parentSubtask && !this.#parentSubtask.isResolved();
    const taskReturned = !this.isCancelled();
    
    if (parentSubtaskPending && taskReturned) {
      const meta = this.#parentSubtask.getCallMetadata();
      // Run the rturn fn if it has not already been called -- this *should* have happened in
      // `task.return`, but some paths do not go through task.return (e.g. async lower of sync fn
      // which goes through prepare + async-start-call)
      if (meta.returnFn && !meta.returnFnCalled) {
        _debugLog('[AsyncTask#onResolve()] running returnFn', {
          componentIdx: this.#componentIdx,
          taskID: this.#id,
          subtaskID: this.#parentSubtask.id(),
        });
        const callerTask = this.#parentSubtask.getParentTask();
        _withGlobalCurrentTaskMeta({
          taskID: callerTask.id(),
          componentIdx: callerTask.componentIdx(),
          fn: () => meta.returnFn.apply(null, [taskValue, meta.resultPtr]),
        });
        meta.returnFnCalled = true;
      }
    }
    
    if (this.#postReturnFn && taskReturned) {
      _debugLog('[AsyncTask#onResolve()] running post return ', {
        componentIdx: this.#componentIdx,
        taskID: this.#id,
      });
      try {
        _withGlobalCurrentTaskMeta({
          taskID: this.#id,
          componentIdx: this.#componentIdx,
          fn: () => this.#postReturnFn(taskValue),
        });
      } catch (err) {
        _debugLog("[AsyncTask#onResolve] error during task resolve handler", err);
        throw err;
      }
    }
    
    if (parentSubtaskPending) {
      this.#parentSubtask.onResolve(taskValue);
    }
  }
  
  registerOnResolveHandler(f) {
    this.#onResolveHandlers.push(f);
  }
  
  isRejected() { return this.#rejected; }
  
  isErrored() { return this.#errored; }
  setErrored(err) {
    // Preserve the originating trap when unwinding through
    // additional guest frames produces secondary traps (often
    // an `unreachable` after a call which was expected to trap).
    if (this.#errored === null) { this.#errored = err; }
  }
  
  reject(taskErr) {
    _debugLog('[AsyncTask#reject()] args', {
      componentIdx: this.#componentIdx,
      taskID: this.#id,
      parentSubtask: this.#parentSubtask,
      parentSubtaskID: this.#parentSubtask?.id(),
      entryFnName: this.entryFnName(),
      callbackFnName: this.#callbackFnName,
      errMsg: taskErr.message,
    });
    
    this.setErrored(taskErr);
    if (this.#rejected) { return; }
    
    // A task may call `task.return` before its callback exits.
    // A trap in cleanup or spawned work must still reject the
    // host call and poison the enclosing task chain.
    if (this.isResolvedState()) {
      this.#rejected = true;
      this.#errored = taskErr;
      const parentTask = this.#parentSubtask?.getParentTask();
      if (parentTask) { parentTask.reject(taskErr); }
      return;
    }
    
    this.#rejected = true;
    this.cancelRequested = true;
    this.#state = AsyncTask.State.CANCEL_PENDING;
    const cancelled = this.deliverPendingCancel({ cancellable: true });
    
    // TODO: do cleanup here to reset the machinery so we can run again?
    
    this.cancel({ error: taskErr });
  }
  
  resolve(results) {
    _debugLog('[AsyncTask#resolve()] args', {
      componentIdx: this.#componentIdx,
      taskID: this.#id,
      entryFnName: this.entryFnName(),
      callbackFnName: this.#callbackFnName,
    });
    
    if (this.#state === AsyncTask.State.RESOLVED) {
      throw new Error(`(component [${this.#componentIdx}]) task [${this.#id}]  is already resolved (did you forget to wait for an import?)`);
    }
    
    this.validateResourceBorrowScope();
    
    this.#state = AsyncTask.State.RESOLVED;
    
    switch (results.length) {
      case 0:
      this.onResolve(undefined);
      break;
      case 1:
      this.onResolve(results[0]);
      break;
      default:
      _debugLog('[AsyncTask#resolve()] unexpected number of results', {
        componentIdx: this.#componentIdx,
        results,
        taskID: this.#id,
        subtaskID: this.#parentSubtask?.id(),
        entryFnName: this.#entryFnName,
        callbackFnName: this.#callbackFnName,
      });
      throw new Error('unexpected number of results');
    }
  }
  
  exit(args) {
    _debugLog('[AsyncTask#exit()]', {
      componentIdx: this.#componentIdx,
      taskID: this.#id,
    });
    
    if (this.#exited)  { throw new Error("task has already exited"); }
    
    if (this.#state !== AsyncTask.State.RESOLVED) {
      throw new Error(`(component [${this.#componentIdx}]) task [${this.#id}] exited without resolution`);
    }
    
    this.validateResourceBorrowScope();
    
    const state = getOrCreateAsyncState(this.#componentIdx);
    if (!state) { throw new Error('missing async state for component [' + this.#componentIdx + ']'); }
    
    // Exempt the host from exclusive lock check
    if (this.#componentIdx !== -1 && !args?.skipExclusiveLockCheck && !this.#lockFreeEntry) {
      if (this.needsExclusiveLock() && !state.exclusivelyLockedBy(this.#id)) {
        throw new Error(`task [${this.#id}] exit: component [${this.#componentIdx}] should have been exclusively locked by it`);
      }
    }
    
    // Ownership-checked: releases only this task's own hold (a
    // task exiting while another task's slice holds the lock no
    // longer clears the foreign hold).
    state.exclusiveRelease(this.#id);
    this.notifyProgress();
    
    for (const f of this.#onExitHandlers) {
      try {
        f();
      } catch (err) {
        console.error("error during task exit handler", err);
        throw err;
      }
    }
    
    this.#exited = true;
    clearCurrentTask(this.#componentIdx, this.id());
  }
  
  needsExclusiveLock() {
    // Host (-1) tasks model host-side import handling: there is no
    // guest linear memory or executor state to protect, and host
    // calls from unrelated guest components would contend spuriously.
    if (this.#componentIdx === -1) { return false; }
    // Import-handler tasks (CallInterface) run host code nested
    // inside the calling guest slice, which already holds the
    // lock; only tasks that execute guest slices need it.
    if (!this.#callingWasmExport) { return false; }
    // A sync-lifted callee cannot be reentered until the whole
    // stackful call returns. This is the Component Model's
    // automatic-backpressure rule for async-lowered calls.
    return !this.#isAsync || this.hasCallback() || this.#calleeIsAsync === false;
  }
  
  createSubtask(args) {
    _debugLog('[AsyncTask#createSubtask()] args', args);
    const { componentIdx, childTask, callMetadata, fnName, isAsync, isManualAsync } = args;
    
    const cstate = getOrCreateAsyncState(this.#componentIdx);
    if (!cstate) {
      throw new Error(`invalid/missing async state for component idx [${componentIdx}]`);
    }
    
    const waitable = new Waitable({
      componentIdx: this.#componentIdx,
      target: `subtask (internal ID [${this.#id}])`,
    });
    
    const newSubtask = new AsyncSubtask({
      componentIdx,
      childTask,
      parentTask: this,
      callMetadata,
      isAsync,
      isManualAsync,
      fnName,
      waitable,
    });
    this.#subtasks.push(newSubtask);
    newSubtask.setTarget(`subtask (internal ID [${newSubtask.id()}], waitable [${waitable.idx()}], component [${componentIdx}])`);
    waitable.setIdx(cstate.handles.insert(newSubtask));
    waitable.setTarget(`waitable for subtask (waitable id [${waitable.idx()}], subtask internal ID [${newSubtask.id()}])`);
    return newSubtask;
  }
  
  getLatestSubtask() {
    return this.#subtasks.at(-1);
  }
  
  getSubtaskByWaitableRep(rep) {
    if (rep === undefined) { throw new TypeError('missing rep'); }
    return this.#subtasks.find(s => s.waitableRep() === rep);
  }
  
  currentSubtask() {
    _debugLog('[AsyncTask#currentSubtask()]');
    if (this.#subtasks.length === 0) { return undefined; }
    return this.#subtasks.at(-1);
  }
  
  removeSubtask(subtask) {
    if (this.#subtasks.length === 0) {
      throw new Error('cannot end current subtask: no current subtask');
    }
    this.#subtasks = this.#subtasks.filter(t => t !== subtask);
    return subtask;
  }
}

function createNewCurrentTask(args) {
  _debugLog('[createNewCurrentTask()] args', args);
  const {
    componentIdx,
    isAsync,
    isManualAsync,
    preserveFutureResult,
    entryFnName,
    parentSubtaskID,
    callbackFnName,
    getCallbackFn,
    getParamsFn,
    stringEncoding,
    errHandling,
    getCalleeParamsFn,
    resultPtr,
    callingWasmExport,
  } = args;
  if (componentIdx === undefined || componentIdx === null) {
    throw new Error('missing/invalid component instance index while starting task');
  }
  let taskMetas = ASYNC_TASKS_BY_COMPONENT_IDX.get(componentIdx);
  const callbackFn = getCallbackFn ? getCallbackFn() : null;
  
  const newTask = new AsyncTask({
    componentIdx,
    isAsync,
    isManualAsync,
    preserveFutureResult,
    entryFnName,
    callbackFn,
    callbackFnName,
    stringEncoding,
    getCalleeParamsFn,
    resultPtr,
    errHandling,
    callingWasmExport,
  });
  
  const newTaskID = newTask.id();
  const newTaskMeta = { id: newTaskID, componentIdx, task: newTask };
  
  // NOTE: do not track host tasks
  ASYNC_CURRENT_TASK_IDS.push(newTaskID);
  ASYNC_CURRENT_COMPONENT_IDXS.push(componentIdx);
  
  if (!taskMetas) {
    taskMetas = [newTaskMeta];
    ASYNC_TASKS_BY_COMPONENT_IDX.set(componentIdx, [newTaskMeta]);
  } else {
    taskMetas.push(newTaskMeta);
  }
  
  return [newTask, newTaskID];
}

function _checkMayLeave(componentIdx) {
  if (INSTANCE_FLAGS.get(componentIdx)?.value !== 1) {
    throw new WebAssemblyRuntimeError('cannot leave component instance');
  }
}

function _getGlobalCurrentTaskMeta(componentIdx) {
  const v = componentIdx === undefined || componentIdx === null
  ? CURRENT_TASK_META.current
  : CURRENT_TASK_META[componentIdx];
  if (v === undefined || v === null) {
    return undefined;
  }
  return { ...v };
}


function _setGlobalCurrentTaskMeta(args) {
  if (!args) { throw new TypeError('args missing'); }
  if (args.taskID === undefined) { throw new TypeError('missing task ID'); }
  if (args.componentIdx === undefined) { throw new TypeError('missing component idx'); }
  const { taskID, componentIdx } = args;
  return CURRENT_TASK_META.current =
  CURRENT_TASK_META[componentIdx] = { taskID, componentIdx };
}


async function _clearCurrentTask(args) {
  _debugLog('[_clearCurrentTask()] args', args);
  if (!args) { throw new TypeError('args missing'); }
  if (args.taskID === undefined) { throw new TypeError('missing task ID'); }
  if (args.componentIdx === undefined) { throw new TypeError('missing component idx'); }
  const { taskID, componentIdx } = args;
  
  const meta = CURRENT_TASK_META[componentIdx];
  if (!meta) { throw new Error(`missing current task meta for component idx [${componentIdx}]`); }
  
  if (meta.taskID !== taskID) {
    throw new Error(`task ID [${meta.taskID}] != requested ID [${taskID}]`);
  }
  if (meta.componentIdx !== componentIdx) {
    throw new Error(`component idx [${meta.componentIdx}] != requested idx [${componentIdx}]`);
  }
  
  CURRENT_TASK_META[componentIdx] = null;
  if (CURRENT_TASK_META.current?.taskID === taskID) {
    CURRENT_TASK_META.current = null;
  }
}

function _lowerImportBackwardsCompat(args) {
  const params = [...arguments].slice(1);
  _debugLog('[_lowerImportBackwardsCompat()] args', { args, params });
  const {
    functionIdx,
    componentIdx,
    isAsync,
    isManualAsync,
    paramLiftFns,
    resultLowerFns,
    hasResultPointer,
    funcTypeIsAsync,
    metadata,
    memoryIdx,
    getMemoryFn,
    getReallocFn,
    importFn,
    stringEncoding,
  } = args;
  
  _checkMayLeave(componentIdx);
  
  let meta = _getGlobalCurrentTaskMeta(componentIdx);
  let createdTask;
  
  // Some components depend on initialization logic (i.e. `_initialize` or some such
  // core wasm export) that is embedded in the component, but is not executed or wizer'd
  // away before the transpiled component is attempted to be used.
  //
  // These components execut their initialization logic *when they are imported* in the
  // transpiled context -- so we may get a call to an export that is lowered without going
  // through `CallWasm` or `CallInterface`.
  //
  if (!meta) {
    if (funcTypeIsAsync || (isAsync && !isManualAsync)) {
      throw new Error('p3 async wasm exports cannot use backwards compat auto-task init');
    }
    
    const [newTask, newTaskID] = createNewCurrentTask({
      componentIdx,
      isAsync,
      isManualAsync,
      callingWasmExport: false,
    });
    createdTask = newTask;
    
    // Since we're managing the task creation ourselves we must clear ourselves
    createdTask.registerOnResolveHandler(() => {
      _clearCurrentTask({
        taskID: task.id(),
        componentIdx: task.componentIdx(),
      });
    });
    
    _setGlobalCurrentTaskMeta({
      componentIdx,
      taskID: newTaskID,
    });
    
    meta = _getGlobalCurrentTaskMeta(componentIdx);
  }
  
  const { taskID } = meta;
  
  const taskMeta = getCurrentTask(componentIdx, taskID);
  if (!taskMeta) {
    throw new Error('invalid/missing async task meta');
  }
  
  const task = taskMeta.task;
  if (!task) { throw new Error('invalid/missing async task'); }
  
  const cstate = getOrCreateAsyncState(componentIdx);
  
  if (!task.mayBlock() && funcTypeIsAsync && !isAsync) {
    throw new Error("non async exports cannot synchronously call async functions");
  }
  
  // If there is an existing task, this should be part of a subtask
  const memory = getMemoryFn();
  // Canonical ABI lower appends result storage as a trailing
  // param when async lower has any flat result, or sync lower
  // has more than one flat result.
  const resultPtr = hasResultPointer ? params[params.length - 1] : undefined;
  const subtask = task.createSubtask({
    componentIdx,
    parentTask: task,
    fnName: importFn.fnName,
    isAsync,
    isManualAsync,
    callMetadata: {
      memoryIdx,
      memory,
      realloc: getReallocFn?.(),
      getReallocFn,
      resultPtr,
      lowers: resultLowerFns,
      funcTypeIsAsync,
      stringEncoding,
    }
  });
  task.setReturnMemoryIdx(memoryIdx);
  task.setReturnMemory(getMemoryFn());
  
  subtask.onStart();
  
  // If dealing with a sync lowered sync function, we can directly return results
  //
  // TODO(breaking): remove once we get rid of manual async import specification,
  // as func types cannot be detected in that case only (and we don't need that w/ p3)
  if (!isManualAsync && !isAsync && !funcTypeIsAsync) {
    if (createdTask) { createdTask.enterSync(); }
    
    const res = importFn(...params);
    
    // TODO(breaking): remove once we get rid of manual async import specification,
    // as func types cannot be detected in that case only (and we don't need that w/ p3)
    if (!funcTypeIsAsync && !subtask.isReturned()) {
      throw new Error('post-execution subtasks must either be async or returned');
    }
    
    const syncRes = subtask.getResult();
    if (createdTask) { createdTask.resolve([syncRes]); }
    
    return syncRes;
  }
  
  // Sync-lowered async functions requires async behavior because the callee *can* block,
  // but this call must *act* synchronously and return immediately with the result
  // (i.e. not returning until the work is done)
  //
  // TODO(breaking): remove checking for manual async specification here, once we can go p3-only
  //
  if (!isManualAsync && !isAsync && funcTypeIsAsync) {
    const { promise, resolve, reject } = promiseWithResolvers();
    queueMicrotask(async () => {
      try {
        await importFn(...params);
        if (!subtask.isResolved()) {
          await task.suspendUntil({ readyFn: () => subtask.isResolved() });
        }
        resolve(subtask.getResult());
      } catch (err) {
        reject(err);
      }
    });
    return promise;
  }
  
  // NOTE: at this point we know that we are working with an async lowered import
  
  const subtaskState = subtask.getStateNumber();
  if (subtaskState < 0 || subtaskState >= 2**4) {
    throw new Error('invalid subtask state, out of valid range');
  }
  
  subtask.setOnProgressFn(() => {
    subtask.setPendingEvent(() => {
      if (subtask.isResolved()) { subtask.deliverResolve(); }
      const event = {
        code: ASYNC_EVENT_CODE.SUBTASK,
        payload0: subtask.waitableRep(),
        payload1: subtask.getStateNumber(),
      }
      return event;
    });
  });
  
  // This is a hack to maintain backwards compatibility with
  // manually-specified async imports, used in wasm exports that are
  // not actually async (but are specified as so).
  //
  // This is not normal p3 sync behavior but instead anticipating that
  // the caller that is doing manual async will be waiting for a promise that
  // resolves to the *actual* result.
  //
  // TODO(breaking): remove once manually specified async is removed
  //
  // There are a few cases:
  // 1. sync function with async types (e.g. `f: func() -> stream<u32>`)
  // 2. async function with async types (e.g. `f: async func() -> stream<u32>`)
  // 3. async function with sync types (e.g. `f: async func() -> list<u32>`)
  // 4. sync function with non-async types (e.g. `f: func() -> list<u32>`)
  //
  // This hack *only* applies to 4 -- the case where an async JS host function
  // is supplied to a Wasm export which does *not* need to do any async abi
  // lifting/lowering (async ABI did not exist when JSPI integratiton was
  // initially merged to enable asynchronously returning values from the host)
  //
  const requiresManualAsyncResult = !isAsync && !funcTypeIsAsync && isManualAsync;
  let manualAsyncResult;
  if (requiresManualAsyncResult) {
    manualAsyncResult = promiseWithResolvers();
  }
  
  queueMicrotask(async () => {
    try {
      _debugLog('[_lowerImportBackwardsCompat()] calling lowered import', { importFn, params });
      if (createdTask) { await createdTask.enter(); }
      
      const asyncRes = await importFn(...params);
      if (requiresManualAsyncResult) {
        manualAsyncResult.resolve(subtask.getResult());
      }
      
      if (createdTask) { createdTask.resolve([asyncRes]); }
      
      
    } catch (err) {
      _debugLog("[_lowerImportBackwardsCompat()] import fn error:", err);
      if (requiresManualAsyncResult) {
        manualAsyncResult.reject(err);
        return;
      }
      task.setErrored(err);
      task.reject(err);
    }
  });
  
  if (requiresManualAsyncResult) { return manualAsyncResult.promise; }
  
  _debugLog('[_lowerImportBackwardsCompat()] async-lowered import return', {
    fnName: importFn.fnName,
    componentIdx,
    subtaskID: subtask.id(),
    waitableRep: subtask.waitableRep(),
    subtaskState,
    packedResult: Number(subtask.waitableRep()) << 4 | subtaskState,
  });
  
  return Number(subtask.waitableRep()) << 4 | subtaskState;
}

const CURRENT_TASK_MAY_BLOCK= globalThis.WebAssembly ? new globalThis.WebAssembly.Global({ value: 'i32', mutable: true }, 0) : false;


function _liftFlatU32(ctx) {
  _debugLog('[_liftFlatU32()] args', { ctx });
  let val;
  
  if (ctx.useDirectParams) {
    if (ctx.params.length === 0) { throw new Error('expected at least a single i34 argument'); }
    // core i32 values arrive as signed numbers
    val = ctx.params[0] >>> 0;
    ctx.params = ctx.params.slice(1);
    return [val, ctx];
  }
  
  if (ctx.storageLen !== undefined && ctx.storageLen < 4) {
    throw new Error(`insufficient storage ([${ctx.storageLen}] bytes) for lift (u32 requires 4 bytes)`);
  }
  val = new DataView(ctx.memory.buffer).getUint32(ctx.storagePtr, true);
  ctx.storagePtr += 4;
  if (ctx.storageLen !== undefined) { ctx.storageLen -= 4; }
  
  return [val, ctx];
}


function _lowerFlatU8(ctx) {
  _debugLog('[_lowerFlatU8()] args', ctx);
  
  if (ctx.vals.length !== 1) {
    throw new Error(`unexpected number [${ctx.vals.length}] of vals (expected 1)`);
  }
  
  _requireValidNumericPrimitive.bind('u8', ctx.vals[0]);
  
  if (!ctx.memory) { throw new Error("missing memory for lower"); }
  new DataView(ctx.memory.buffer).setUint8(ctx.storagePtr, ctx.vals[0]);
  
  ctx.storagePtr += 1;
}

function _lowerFlatU32(ctx) {
  _debugLog('[_lowerFlatU32()] args', { ctx });
  
  if (ctx.vals.length !== 1) {
    throw new Error(`expected single value to lower, got [${ctx.vals.length}]`);
  }
  
  const rem = ctx.storagePtr % 4;
  if (rem !== 0) { ctx.storagePtr += (4 - rem); }
  
  _requireValidNumericPrimitive.bind('u32', ctx.vals[0]);
  new DataView(ctx.memory.buffer).setUint32(ctx.storagePtr, ctx.vals[0], true);
  
  ctx.storagePtr += 4;
}

function _lowerFlatList(meta) {
  const {
    elemLowerFn,
    knownLen,
    size32,
    align32,
    elemSize32,
    elemAlign32,
  } = meta;
  
  if (!elemLowerFn) { throw new TypeError("missing/invalid element lower fn for list"); }
  
  return function _lowerFlatListInner(ctx) {
    _debugLog('[_lowerFlatList()] args', { ctx });
    
    if (ctx.useDirectParams) {
      if (ctx.params.length < 2) { throw new Error('insufficient params left to lower list'); }
      const storagePtr = ctx.params[0];
      const elemCount = ctx.params[1];
      ctx.params = ctx.params.slice(2);
      
      const list = ctx.vals[0];
      if (!list) { throw new Error("missing direct param value"); }
      
      const lowerCtx = {
        storagePtr,
        memory: ctx.memory,
        stringEncoding: ctx.stringEncoding,
      };
      for (let idx = 0; idx < list.length; idx++) {
        const elemPtr = storagePtr + idx * elemSize32;
        lowerCtx.storagePtr = elemPtr;
        lowerCtx.vals = list.slice(idx, idx+1);
        elemLowerFn(lowerCtx);
        lowerCtx.storagePtr = Math.max(lowerCtx.storagePtr, elemPtr + elemSize32);
      }
      ctx.storagePtr = lowerCtx.storagePtr;
      
      // TODO: implement parma-only known-length processing
      
      return;
    }
    
    // TODO(fix): is it possible to get a vals that are a addr and length here from
    // a component lower?
    
    const elems = ctx.vals[0];
    if (knownLen === undefined) {
      // unknown length
      if (!ctx.realloc) { throw new Error('missing realloc during flat string lower'); }
      const dataPtr = ctx.realloc(0, 0, elemAlign32, elemSize32 * elems.length);
      
      ctx.vals[0] = dataPtr;
      _lowerFlatU32(ctx);
      
      ctx.vals[0] = elems.length;
      _lowerFlatU32(ctx);
      
      const origPtr = ctx.storagePtr;
      ctx.storagePtr = dataPtr;
      
      for (const [idx, elem] of elems.entries()) {
        const elemPtr = dataPtr + idx * elemSize32;
        ctx.storagePtr = elemPtr;
        ctx.vals = [elem];
        elemLowerFn(ctx);
        ctx.storagePtr = Math.max(ctx.storagePtr, elemPtr + elemSize32);
      }
      
      ctx.storagePtr = origPtr;
      
    } else {
      // known length
      
      if (elems.length !== knownLen) {
        throw new TypeError(`invalid list input of length [${elems.length}], must be length [${knownLen}]`);
      }
      
      const originalPtr = ctx.storagePtr;
      for (const [idx, elem] of elems.entries()) {
        const elemPtr = originalPtr + idx * elemSize32;
        ctx.storagePtr = elemPtr;
        ctx.vals = [elem];
        elemLowerFn(ctx);
        ctx.storagePtr = Math.max(ctx.storagePtr, elemPtr + elemSize32);
      }
    }
    
    // TODO(fix): special case for u8/u16/etc, we can do a direct copy
    
    const totalSizeBytes = elems.length * size32;
    if (ctx.storageLen !== undefined && totalSizeBytes > ctx.storageLen) {
      throw new Error('not enough storage remaining for list flat lower');
    }
  }
}

function _trackHostOperation(operation) {
  const result = operation();
  if (result === null ||
  (typeof result !== 'object' && typeof result !== 'function') ||
  typeof result.then !== 'function') {
    return result;
  }
  
  STORE_ASYNC_STATE.pendingHostOperations++;
  return Promise.resolve(result).finally(() => {
    STORE_ASYNC_STATE.pendingHostOperations--;
    if (STORE_ASYNC_STATE.pendingHostOperations < 0) {
      throw new Error('negative pending host operation count');
    }
    for (const state of ASYNC_STATE.values()) { state.runTickLoop(); }
    _checkForDeadlock();
  });
}

function _guardMayLeave(componentIdx, fn) {
  return function (...args) {
    _checkMayLeave(componentIdx);
    return fn.apply(this, args);
  };
}

const base64Compile = str => WebAssembly.compile(
typeof Buffer !== 'undefined'
? Buffer.from(str, 'base64')
: Uint8Array.from(atob(str), b => b.charCodeAt(0))
);


function clampGuest(i, min, max) {
  if (i < min || i > max) {
    throw new TypeError(`must be between ${min} and ${max}`);
  }
  return i;
}


const isNode = typeof process !== 'undefined' && process.versions && process.versions.node;
let _fs;
async function fetchCompile (url) {
  if (isNode) {
    _fs = _fs || await import('node:fs/promises');
    return WebAssembly.compile(await _fs.readFile(url));
  }
  return fetch(url).then(WebAssembly.compileStreaming);
}

const symbolRscHandle = Symbol('handle');
const symbolDispose = Symbol.dispose || Symbol.for('dispose');

const HANDLE_TABLES= [];


function finalizationRegistryCreate (unregister) {
  if (typeof FinalizationRegistry === 'undefined') {
    return { unregister () {} };
  }
  return new FinalizationRegistry(unregister);
}

class ComponentError extends Error {
  constructor (value) {
    const enumerable = typeof value !== 'string';
    super(enumerable ? `${String(value)} (see error.payload)` : value);
    Object.defineProperty(this, 'payload', { value, enumerable });
  }
}

function throwInvalidBool() {
  throw new TypeError('invalid variant discriminant for bool');
}

const instantiateCore = WebAssembly.instantiate;

function _suspendingImport(componentIdx, fn, syncOnly = false, switchesTask = false) {
  return function (...args) {
    _checkMayLeave(componentIdx);
    const saved = CURRENT_TASK_META[componentIdx] ?? null;
    
    const savedTask = saved
    ? getCurrentTask(saved.componentIdx, saved.taskID)?.task
    : null;
    const mayBlock = savedTask
    ? (savedTask?.mayBlock() ?? (CURRENT_TASK_MAY_BLOCK.value !== 0))
    : false;
    if (!saved && !mayBlock) {
      throw new WebAssemblyRuntimeError('cannot block a synchronous task before returning');
    }
    
    if (syncOnly || !mayBlock) {
      let result;
      try {
        result = fn.apply(null, args);
      } catch (err) {
        CURRENT_TASK_META[componentIdx] = saved;
        if (!switchesTask) { CURRENT_TASK_META.current = saved; }
        throw err;
      }
      
      CURRENT_TASK_META[componentIdx] = saved;
      if (!switchesTask) { CURRENT_TASK_META.current = saved; }
      
      if (result !== null &&
      (typeof result === 'object' || typeof result === 'function') &&
      typeof result.then === 'function') {
        // The helper may already have returned a rejected promise.
        // Mark it handled before replacing it with the canonical
        // synchronous-task trap.
        Promise.resolve(result).catch(() => {});
        throw new WebAssemblyRuntimeError('cannot block a synchronous task before returning');
      }
      return result;
    }
    
    return (async () => {
      try {
        return await fn.apply(null, args);
      } finally {
        CURRENT_TASK_META[componentIdx] = saved;
        if (!switchesTask) { CURRENT_TASK_META.current = saved; }
      }
    })();
  };
}


let exports0;
let exports1;
let memory0;
let realloc0;
let realloc0Async;

const _trampoline4 = function(arg0, arg1) {
  _debugLog('[iface="hq:vault/entropy@0.1.0", function="fill"] [Instruction::CallInterface] (sync, @ enter)');
  const hostProvided = true;
  
  let parentTask;
  let task;
  let subtask;
  
  const createTask = () => {
    const results = createNewCurrentTask({
      componentIdx: -1,
      isAsync: false,
      entryFnName: 'fill',
      getCallbackFn: () => null,
      callbackFnName: null,
      errHandling: 'none',
      callingWasmExport: false,
    });
    task = results[0];
  };
  
  taskCreation: {
    parentTask = getCurrentTask(
    0,
    _getGlobalCurrentTaskMeta(0)?.taskID,
    )?.task;
    
    if (!parentTask) {
      createTask();
      break taskCreation;
    }
    
    createTask();
    
    if (hostProvided) {
      subtask = parentTask.getLatestSubtask();
      if (!subtask) {
        throw new Error(`Missing subtask (in parent task [${parentTask.id()}]) for host import, has the import been lowered? (ensure asyncImports are set properly)`);
      }
      task.setParentSubtask(subtask);
    }
  }
  
  const started = task.enterSync();
  let ret;
  
  
  try {
    ret = _withGlobalCurrentTaskMeta({
      componentIdx: task.componentIdx(),
      taskID: task.id(),
      fn: () => _trackHostOperation(() => fill(arg0 >>> 0)),
    })
    ;
  } catch (err) {
    
    _debugLog('[Instruction::CallInterface] error during sync call', {
      taskID: task.id(),
      subtaskID: task.getParentSubtask()?.id(),
      err,
    });
    getOrCreateAsyncState(0).markTrapped(err);
    task.setErrored(err);
    task.reject(err);
    task.exit();
    throw err;
    
  }
  
  var val0 = ret;
  var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
  var ptr0 = realloc0(0, 0, 1, len0 * 1);
  
  let valData0;
  const valLenBytes0 = len0 * 1;
  if (Array.isArray(val0)) {
    // Regular array likely containing numbers, write values to memory
    let offset = 0;
    const dv0 = new DataView(memory0.buffer);
    for (const v of val0) {
      _requireValidNumericPrimitive.bind(null, 'u8')(v);
      dv0.setUint8(ptr0+ offset, v, true);
      offset += 1;
    }
  } else {
    // TypedArray / ArrayBuffer-like, direct copy
    valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
    const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
    out0.set(valData0);
  }
  
  dataView(memory0).setUint32(arg1 + 4, len0, true);
  dataView(memory0).setUint32(arg1 + 0, ptr0, true);
  _debugLog('[iface="hq:vault/entropy@0.1.0", function="fill"][Instruction::Return]', {
    funcName: 'fill',
    paramCount: 0,
    async: false,
    postReturn: false
  });
  task.resolve([ret]);
  task.exit();
}
_trampoline4.fnName = 'hq:vault/entropy@0.1.0#fill';
let exports2;
let postReturn0;
let postReturn0Async;
let postReturn1;
let postReturn1Async;
let postReturn2;
let postReturn2Async;
let postReturn3;
let postReturn3Async;
let postReturn4;
let postReturn4Async;
let postReturn5;
let postReturn5Async;
let postReturn6;
let postReturn6Async;
let postReturn7;
let postReturn7Async;
let postReturn8;
let postReturn8Async;
let postReturn9;
let postReturn9Async;
let postReturn10;
let postReturn10Async;
let patterns010Normalize;

function normalize(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010Normalize',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="normalize"][Instruction::CallWasm] enter', {
          funcName: 'normalize',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010Normalize(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant3;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr1 = dataView(memory0).getUint32(ret + 4, true);
            var len1 = dataView(memory0).getUint32(ret + 8, true);
            var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
            variant3= {
              tag: 'ok',
              val: result1
            };
            break;
          }
          case 1: {
            let enum2;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum2 = 'empty';
                break;
              }
              case 1: {
                enum2 = 'leading-slash';
                break;
              }
              case 2: {
                enum2 = 'dot-segment';
                break;
              }
              case 3: {
                enum2 = 'empty-segment';
                break;
              }
              case 4: {
                enum2 = 'misplaced-star';
                break;
              }
              case 5: {
                enum2 = 'backslash';
                break;
              }
              case 6: {
                enum2 = 'control-character';
                break;
              }
              case 7: {
                enum2 = 'whitespace';
                break;
              }
              case 8: {
                enum2 = 'non-ascii';
                break;
              }
              case 9: {
                enum2 = 'too-long';
                break;
              }
              case 10: {
                enum2 = 'not-a-key';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for PathError');
              }
            }
            variant3= {
              tag: 'err',
              val: enum2
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="normalize"][Instruction::Return]', {
          funcName: 'normalize',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant3;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let patterns010NormalizeAll;

function normalizeAll(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010NormalizeAll',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var vec1 = arg0;
        var len1 = vec1.length;
        var result1 = realloc0(0, 0, 4, len1 * 8);
        for (let i = 0; i < vec1.length; i++) {
          const e = vec1[i];
          const base = result1 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr0= encodeRes.ptr;
          var len0 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len0, true);
          dataView(memory0).setUint32(base + 0, ptr0, true);
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="normalize-all"][Instruction::CallWasm] enter', {
          funcName: 'normalize-all',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010NormalizeAll(result1, len1),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var len3 = dataView(memory0).getUint32(ret + 8, true);
            var base3 = dataView(memory0).getUint32(ret + 4, true);
            if (base3 % 4 !== 0) throw new TypeError(`list pointer [${base3}] is not aligned to 4`);
            var result3 = [];
            for (let i = 0; i < len3; i++) {
              const base = base3 + i * 8;
              var ptr2 = dataView(memory0).getUint32(base + 0, true);
              var len2 = dataView(memory0).getUint32(base + 4, true);
              var result2 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr2, len2));
              result3.push(result2);
            }
            variant6= {
              tag: 'ok',
              val: result3
            };
            break;
          }
          case 1: {
            let variant5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                variant5= {
                  tag: 'none',
                };
                break;
              }
              case 1: {
                variant5= {
                  tag: 'too-many',
                  val: dataView(memory0).getInt32(ret + 8, true) >>> 0
                };
                break;
              }
              case 2: {
                let enum4;
                switch (dataView(memory0).getUint8(ret + 12, true)) {
                  case 0: {
                    enum4 = 'empty';
                    break;
                  }
                  case 1: {
                    enum4 = 'leading-slash';
                    break;
                  }
                  case 2: {
                    enum4 = 'dot-segment';
                    break;
                  }
                  case 3: {
                    enum4 = 'empty-segment';
                    break;
                  }
                  case 4: {
                    enum4 = 'misplaced-star';
                    break;
                  }
                  case 5: {
                    enum4 = 'backslash';
                    break;
                  }
                  case 6: {
                    enum4 = 'control-character';
                    break;
                  }
                  case 7: {
                    enum4 = 'whitespace';
                    break;
                  }
                  case 8: {
                    enum4 = 'non-ascii';
                    break;
                  }
                  case 9: {
                    enum4 = 'too-long';
                    break;
                  }
                  case 10: {
                    enum4 = 'not-a-key';
                    break;
                  }
                  default: {
                    throw new TypeError('invalid discriminant specified for PathError');
                  }
                }
                variant5= {
                  tag: 'invalid',
                  val: {
                    index: dataView(memory0).getInt32(ret + 8, true) >>> 0,
                    reason: enum4,
                  }
                };
                break;
              }
              default: {
                throw new TypeError('invalid variant discriminant for AllowlistError');
              }
            }
            variant6= {
              tag: 'err',
              val: variant5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="normalize-all"][Instruction::Return]', {
          funcName: 'normalize-all',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn1(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let patterns010CheckPath;

function checkPath(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010CheckPath',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="check-path"][Instruction::CallWasm] enter', {
          funcName: 'check-path',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010CheckPath(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant3;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr1 = dataView(memory0).getUint32(ret + 4, true);
            var len1 = dataView(memory0).getUint32(ret + 8, true);
            var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
            variant3= {
              tag: 'ok',
              val: result1
            };
            break;
          }
          case 1: {
            let enum2;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum2 = 'empty';
                break;
              }
              case 1: {
                enum2 = 'leading-slash';
                break;
              }
              case 2: {
                enum2 = 'dot-segment';
                break;
              }
              case 3: {
                enum2 = 'empty-segment';
                break;
              }
              case 4: {
                enum2 = 'misplaced-star';
                break;
              }
              case 5: {
                enum2 = 'backslash';
                break;
              }
              case 6: {
                enum2 = 'control-character';
                break;
              }
              case 7: {
                enum2 = 'whitespace';
                break;
              }
              case 8: {
                enum2 = 'non-ascii';
                break;
              }
              case 9: {
                enum2 = 'too-long';
                break;
              }
              case 10: {
                enum2 = 'not-a-key';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for PathError');
              }
            }
            variant3= {
              tag: 'err',
              val: enum2
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="check-path"][Instruction::Return]', {
          funcName: 'check-path',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant3;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let patterns010CheckKey;

function checkKey(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010CheckKey',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="check-key"][Instruction::CallWasm] enter', {
          funcName: 'check-key',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010CheckKey(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant3;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr1 = dataView(memory0).getUint32(ret + 4, true);
            var len1 = dataView(memory0).getUint32(ret + 8, true);
            var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
            variant3= {
              tag: 'ok',
              val: result1
            };
            break;
          }
          case 1: {
            let enum2;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum2 = 'empty';
                break;
              }
              case 1: {
                enum2 = 'leading-slash';
                break;
              }
              case 2: {
                enum2 = 'dot-segment';
                break;
              }
              case 3: {
                enum2 = 'empty-segment';
                break;
              }
              case 4: {
                enum2 = 'misplaced-star';
                break;
              }
              case 5: {
                enum2 = 'backslash';
                break;
              }
              case 6: {
                enum2 = 'control-character';
                break;
              }
              case 7: {
                enum2 = 'whitespace';
                break;
              }
              case 8: {
                enum2 = 'non-ascii';
                break;
              }
              case 9: {
                enum2 = 'too-long';
                break;
              }
              case 10: {
                enum2 = 'not-a-key';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for PathError');
              }
            }
            variant3= {
              tag: 'err',
              val: enum2
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="check-key"][Instruction::Return]', {
          funcName: 'check-key',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant3;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let patterns010Allows;

function allows(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010Allows',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var vec1 = arg0;
        var len1 = vec1.length;
        var result1 = realloc0(0, 0, 4, len1 * 8);
        for (let i = 0; i < vec1.length; i++) {
          const e = vec1[i];
          const base = result1 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr0= encodeRes.ptr;
          var len0 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len0, true);
          dataView(memory0).setUint32(base + 0, ptr0, true);
        }
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="allows"][Instruction::CallWasm] enter', {
          funcName: 'allows',
          paramCount: 4,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010Allows(result1, len1, ptr2, len2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var bool3 = ret;
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="allows"][Instruction::Return]', {
          funcName: 'allows',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        task.resolve([bool3 == 0 ? false : (bool3 == 1 ? true : throwInvalidBool())]);
        task.exit();
        return bool3 == 0 ? false : (bool3 == 1 ? true : throwInvalidBool());
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let patterns010PlanListing;

function planListing(arg0, arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'patterns010PlanListing',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var vec1 = arg0;
        var len1 = vec1.length;
        var result1 = realloc0(0, 0, 4, len1 * 8);
        for (let i = 0; i < vec1.length; i++) {
          const e = vec1[i];
          const base = result1 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr0= encodeRes.ptr;
          var len0 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len0, true);
          dataView(memory0).setUint32(base + 0, ptr0, true);
        }
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="plan-listing"][Instruction::CallWasm] enter', {
          funcName: 'plan-listing',
          paramCount: 5,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => patterns010PlanListing(result1, len1, ptr2, len2, arg2 ? 1 : 0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var len7 = dataView(memory0).getUint32(ret + 4, true);
        var base7 = dataView(memory0).getUint32(ret + 0, true);
        if (base7 % 4 !== 0) throw new TypeError(`list pointer [${base7}] is not aligned to 4`);
        var result7 = [];
        for (let i = 0; i < len7; i++) {
          const base = base7 + i * 24;
          var ptr3 = dataView(memory0).getUint32(base + 0, true);
          var len3 = dataView(memory0).getUint32(base + 4, true);
          var result3 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr3, len3));
          var bool4 = dataView(memory0).getUint8(base + 8, true);
          let variant6;
          switch (dataView(memory0).getUint8(base + 12, true)) {
            case 0: {
              variant6 = undefined;
              break;
            }
            case 1: {
              var ptr5 = dataView(memory0).getUint32(base + 16, true);
              var len5 = dataView(memory0).getUint32(base + 20, true);
              var result5 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr5, len5));
              variant6 = result5;
              break;
            }
            default: {
              throw new TypeError('invalid variant discriminant for option');
            }
          }
          result7.push({
            prefix: result3,
            exact: bool4 == 0 ? false : (bool4 == 1 ? true : throwInvalidBool()),
            rollup: variant6,
          });
        }
        _debugLog('[iface="hq:vault/patterns@0.1.0", function="plan-listing"][Instruction::Return]', {
          funcName: 'plan-listing',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result7]);
        const retCopy = result7;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn2(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010TokenLength;

function tokenLength() {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010TokenLength',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (null!== null) {
    task.setReturnMemoryIdx(null);
    task.setReturnMemory((() => null)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="token-length"][Instruction::CallWasm] enter', {
          funcName: 'token-length',
          paramCount: 0,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010TokenLength(),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="token-length"][Instruction::Return]', {
          funcName: 'token-length',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        task.resolve([ret >>> 0]);
        task.exit();
        return ret >>> 0;
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010Mint;

function mint(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010Mint',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        let enum0;
        switch (val0) {
          case 'connection-key': {
            enum0 = 0;
            break;
          }
          case 'vault-token': {
            enum0 = 1;
            break;
          }
          case 'session-token': {
            enum0 = 2;
            break;
          }
          default: {
            if ((arg0) instanceof Error) {
              console.error(arg0);
            }
            
            throw new TypeError(`"${val0}" is not one of the cases of token-kind`);
          }
        }
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="mint"][Instruction::CallWasm] enter', {
          funcName: 'mint',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010Mint(enum0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr1 = dataView(memory0).getUint32(ret + 0, true);
        var len1 = dataView(memory0).getUint32(ret + 4, true);
        var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="mint"][Instruction::Return]', {
          funcName: 'mint',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result1]);
        const retCopy = result1;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010Parse;

function parse(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010Parse',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="parse"][Instruction::CallWasm] enter', {
          funcName: 'parse',
          paramCount: 2,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010Parse(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant3;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            let enum1;
            switch (dataView(memory0).getUint8(ret + 1, true)) {
              case 0: {
                enum1 = 'connection-key';
                break;
              }
              case 1: {
                enum1 = 'vault-token';
                break;
              }
              case 2: {
                enum1 = 'session-token';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for TokenKind');
              }
            }
            variant3= {
              tag: 'ok',
              val: enum1
            };
            break;
          }
          case 1: {
            let enum2;
            switch (dataView(memory0).getUint8(ret + 1, true)) {
              case 0: {
                enum2 = 'empty';
                break;
              }
              case 1: {
                enum2 = 'unknown-prefix';
                break;
              }
              case 2: {
                enum2 = 'wrong-length';
                break;
              }
              case 3: {
                enum2 = 'bad-character';
                break;
              }
              case 4: {
                enum2 = 'bad-checksum';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for TokenError');
              }
            }
            variant3= {
              tag: 'err',
              val: enum2
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="parse"][Instruction::Return]', {
          funcName: 'parse',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        const retCopy = variant3;
        task.resolve([retCopy.val]);
        task.exit();
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010Reference;

function reference(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010Reference',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="reference"][Instruction::CallWasm] enter', {
          funcName: 'reference',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010Reference(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr1 = dataView(memory0).getUint32(ret + 0, true);
        var len1 = dataView(memory0).getUint32(ret + 4, true);
        var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="reference"][Instruction::Return]', {
          funcName: 'reference',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result1]);
        const retCopy = result1;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010ReferencesEqual;

function referencesEqual(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010ReferencesEqual',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr1= encodeRes.ptr;
        var len1 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="references-equal"][Instruction::CallWasm] enter', {
          funcName: 'references-equal',
          paramCount: 4,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010ReferencesEqual(ptr0, len0, ptr1, len1),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var bool2 = ret;
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="references-equal"][Instruction::Return]', {
          funcName: 'references-equal',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        task.resolve([bool2 == 0 ? false : (bool2 == 1 ? true : throwInvalidBool())]);
        task.exit();
        return bool2 == 0 ? false : (bool2 == 1 ? true : throwInvalidBool());
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010Evaluate;

function evaluate(arg0, arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010Evaluate',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var {expiresAtMs: v0_0, maxUses: v0_1, uses: v0_2, revoked: v0_3, scope: v0_4 } = arg0;
        var variant1 = v0_0;
        let variant1_0;
        let variant1_1;
        if (variant1 === null || variant1=== undefined) {
          variant1_0 = 0;
          variant1_1 = 0n;
        } else {
          const e = variant1;
          variant1_0 = 1;
          variant1_1 = toUint64(e);
        }
        var variant2 = v0_1;
        let variant2_0;
        let variant2_1;
        if (variant2 === null || variant2=== undefined) {
          variant2_0 = 0;
          variant2_1 = 0;
        } else {
          const e = variant2;
          variant2_0 = 1;
          variant2_1 = toUint32(e);
        }
        var vec4 = v0_4;
        var len4 = vec4.length;
        var result4 = realloc0(0, 0, 4, len4 * 8);
        for (let i = 0; i < vec4.length; i++) {
          const e = vec4[i];
          const base = result4 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr3= encodeRes.ptr;
          var len3 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len3, true);
          dataView(memory0).setUint32(base + 0, ptr3, true);
        }
        var variant6 = arg2;
        let variant6_0;
        let variant6_1;
        let variant6_2;
        if (variant6 === null || variant6=== undefined) {
          variant6_0 = 0;
          variant6_1 = 0;
          variant6_2 = 0;
        } else {
          const e = variant6;
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr5= encodeRes.ptr;
          var len5 = encodeRes.len;
          
          variant6_0 = 1;
          variant6_1 = ptr5;
          variant6_2 = len5;
        }
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="evaluate"][Instruction::CallWasm] enter', {
          funcName: 'evaluate',
          paramCount: 12,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010Evaluate(variant1_0, variant1_1, variant2_0, variant2_1, toUint32(v0_2), v0_3 ? 1 : 0, result4, len4, toUint64(arg1), variant6_0, variant6_1, variant6_2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant8;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            variant8= {
              tag: 'ok',
              val: undefined
            };
            break;
          }
          case 1: {
            let enum7;
            switch (dataView(memory0).getUint8(ret + 1, true)) {
              case 0: {
                enum7 = 'expired';
                break;
              }
              case 1: {
                enum7 = 'exhausted';
                break;
              }
              case 2: {
                enum7 = 'revoked';
                break;
              }
              case 3: {
                enum7 = 'out-of-scope';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for TokenDenial');
              }
            }
            variant8= {
              tag: 'err',
              val: enum7
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="evaluate"][Instruction::Return]', {
          funcName: 'evaluate',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        const retCopy = variant8;
        task.resolve([retCopy.val]);
        task.exit();
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let tokens010ParseDuration;

function parseDuration(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'tokens010ParseDuration',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="parse-duration"][Instruction::CallWasm] enter', {
          funcName: 'parse-duration',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => tokens010ParseDuration(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant2;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            variant2= {
              tag: 'ok',
              val: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 8, true)))
            };
            break;
          }
          case 1: {
            var ptr1 = dataView(memory0).getUint32(ret + 8, true);
            var len1 = dataView(memory0).getUint32(ret + 12, true);
            var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
            variant2= {
              tag: 'err',
              val: result1
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/tokens@0.1.0", function="parse-duration"][Instruction::Return]', {
          funcName: 'parse-duration',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant2;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn4(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}

const handleTable0 = [T_FLAG, 0];
handleTable0._createdReps = new Set();
handleTable0._componentIdx = 0;
const finalizationRegistry0 = finalizationRegistryCreate((handle) => {
  const { rep } = rscTableRemove(handleTable0, handle);
  exports0['2'](rep);
});

HANDLE_TABLES[0] = handleTable0;
let crypto010StaticMasterKeyCreate;

class MasterKey{
  constructor () {
    throw new Error('"MasterKey" resource does not define a constructor');
  }
}

MasterKey.create = function create(arg0, arg1, arg2, arg3) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010StaticMasterKeyCreate',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[static]master-key.create"][Instruction::CallWasm] enter', {
          funcName: '[static]master-key.create',
          paramCount: 5,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010StaticMasterKeyCreate(ptr0, len0, toUint32(arg1), toUint32(arg2), toUint32(arg3)),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var handle2 = dataView(memory0).getInt32(ret + 4, true);
            var rsc1 = new.target === MasterKey ? this : Object.create(MasterKey.prototype);
            Object.defineProperty(rsc1, symbolRscHandle, { writable: true, value: handle2});
            finalizationRegistry0.register(rsc1, handle2, rsc1);
            Object.defineProperty(rsc1, symbolDispose, { writable: true, value: function () {
              finalizationRegistry0.unregister(rsc1);
              const handleEntry = rscTableRemove(handleTable0, handle2);
              rsc1[symbolDispose] = emptyFunc;
              rsc1[symbolRscHandle] = undefined;
              exports0['2'](handleEntry.rep);
            }});
            var ptr3 = dataView(memory0).getUint32(ret + 8, true);
            var len3 = dataView(memory0).getUint32(ret + 12, true);
            if (ptr3 % 1 !== 0) throw new TypeError(`list pointer [${ptr3}] is not aligned to 1`);
            var result3 = new Uint8Array(memory0.buffer.slice(ptr3, ptr3 + len3 * 1));
            var ptr4 = dataView(memory0).getUint32(ret + 16, true);
            var len4 = dataView(memory0).getUint32(ret + 20, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: [rsc1, {
                wrappedKey: result3,
                params: {
                  salt: result4,
                  tCost: dataView(memory0).getInt32(ret + 24, true) >>> 0,
                  mCostKib: dataView(memory0).getInt32(ret + 28, true) >>> 0,
                  pCost: dataView(memory0).getInt32(ret + 32, true) >>> 0,
                },
              }]
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[static]master-key.create"][Instruction::Return]', {
          funcName: '[static]master-key.create',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn5(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010StaticMasterKeyUnlock;

MasterKey.unlock = function unlock(arg0, arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010StaticMasterKeyUnlock',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        var {salt: v1_0, tCost: v1_1, mCostKib: v1_2, pCost: v1_3 } = arg1;
        var val2 = v1_0;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        var val3 = arg2;
        var len3 = Array.isArray(val3) ? val3.length : val3.byteLength;
        var ptr3 = realloc0(0, 0, 1, len3 * 1);
        
        let valData3;
        const valLenBytes3 = len3 * 1;
        if (Array.isArray(val3)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv3 = new DataView(memory0.buffer);
          for (const v of val3) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv3.setUint8(ptr3+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData3 = new Uint8Array(val3.buffer || val3, val3.byteOffset, valLenBytes3);
          const out3 = new Uint8Array(memory0.buffer, ptr3, valLenBytes3);
          out3.set(valData3);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[static]master-key.unlock"][Instruction::CallWasm] enter', {
          funcName: '[static]master-key.unlock',
          paramCount: 9,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010StaticMasterKeyUnlock(ptr0, len0, ptr2, len2, toUint32(v1_1), toUint32(v1_2), toUint32(v1_3), ptr3, len3),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant7;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var handle5 = dataView(memory0).getInt32(ret + 4, true);
            var rsc4 = new.target === MasterKey ? this : Object.create(MasterKey.prototype);
            Object.defineProperty(rsc4, symbolRscHandle, { writable: true, value: handle5});
            finalizationRegistry0.register(rsc4, handle5, rsc4);
            Object.defineProperty(rsc4, symbolDispose, { writable: true, value: function () {
              finalizationRegistry0.unregister(rsc4);
              const handleEntry = rscTableRemove(handleTable0, handle5);
              rsc4[symbolDispose] = emptyFunc;
              rsc4[symbolRscHandle] = undefined;
              exports0['2'](handleEntry.rep);
            }});
            variant7= {
              tag: 'ok',
              val: rsc4
            };
            break;
          }
          case 1: {
            let enum6;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum6 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum6 = 'tampered';
                break;
              }
              case 2: {
                enum6 = 'bad-format';
                break;
              }
              case 3: {
                enum6 = 'bad-parameters';
                break;
              }
              case 4: {
                enum6 = 'out-of-memory';
                break;
              }
              case 5: {
                enum6 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant7= {
              tag: 'err',
              val: enum6
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[static]master-key.unlock"][Instruction::Return]', {
          funcName: '[static]master-key.unlock',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        const retCopy = variant7;
        task.resolve([retCopy.val]);
        task.exit();
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010MethodMasterKeyRewrap;

MasterKey.prototype.rewrap = function rewrap(arg1, arg2, arg3, arg4) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodMasterKeyRewrap',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable0[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"MasterKey\" resource.');
        }
        var handle0 = handleTable0[(handle1 << 1) + 1] & ~T_FLAG;
        
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.rewrap"][Instruction::CallWasm] enter', {
          funcName: '[method]master-key.rewrap',
          paramCount: 6,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodMasterKeyRewrap(handle0, ptr2, len2, toUint32(arg2), toUint32(arg3), toUint32(arg4)),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr3 = dataView(memory0).getUint32(ret + 4, true);
            var len3 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr3 % 1 !== 0) throw new TypeError(`list pointer [${ptr3}] is not aligned to 1`);
            var result3 = new Uint8Array(memory0.buffer.slice(ptr3, ptr3 + len3 * 1));
            var ptr4 = dataView(memory0).getUint32(ret + 12, true);
            var len4 = dataView(memory0).getUint32(ret + 16, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: {
                wrappedKey: result3,
                params: {
                  salt: result4,
                  tCost: dataView(memory0).getInt32(ret + 20, true) >>> 0,
                  mCostKib: dataView(memory0).getInt32(ret + 24, true) >>> 0,
                  pCost: dataView(memory0).getInt32(ret + 28, true) >>> 0,
                },
              }
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.rewrap"][Instruction::Return]', {
          funcName: '[method]master-key.rewrap',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn6(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010MethodMasterKeySeal;

MasterKey.prototype.seal = function seal(arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodMasterKeySeal',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable0[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"MasterKey\" resource.');
        }
        var handle0 = handleTable0[(handle1 << 1) + 1] & ~T_FLAG;
        
        var val2 = arg1;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        var val3 = arg2;
        var len3 = Array.isArray(val3) ? val3.length : val3.byteLength;
        var ptr3 = realloc0(0, 0, 1, len3 * 1);
        
        let valData3;
        const valLenBytes3 = len3 * 1;
        if (Array.isArray(val3)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv3 = new DataView(memory0.buffer);
          for (const v of val3) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv3.setUint8(ptr3+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData3 = new Uint8Array(val3.buffer || val3, val3.byteOffset, valLenBytes3);
          const out3 = new Uint8Array(memory0.buffer, ptr3, valLenBytes3);
          out3.set(valData3);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.seal"][Instruction::CallWasm] enter', {
          funcName: '[method]master-key.seal',
          paramCount: 5,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodMasterKeySeal(handle0, ptr2, len2, ptr3, len3),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr4 = dataView(memory0).getUint32(ret + 4, true);
            var len4 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: result4
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.seal"][Instruction::Return]', {
          funcName: '[method]master-key.seal',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010MethodMasterKeyOpen;

MasterKey.prototype.open = function open(arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodMasterKeyOpen',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable0[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"MasterKey\" resource.');
        }
        var handle0 = handleTable0[(handle1 << 1) + 1] & ~T_FLAG;
        
        var val2 = arg1;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        var val3 = arg2;
        var len3 = Array.isArray(val3) ? val3.length : val3.byteLength;
        var ptr3 = realloc0(0, 0, 1, len3 * 1);
        
        let valData3;
        const valLenBytes3 = len3 * 1;
        if (Array.isArray(val3)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv3 = new DataView(memory0.buffer);
          for (const v of val3) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv3.setUint8(ptr3+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData3 = new Uint8Array(val3.buffer || val3, val3.byteOffset, valLenBytes3);
          const out3 = new Uint8Array(memory0.buffer, ptr3, valLenBytes3);
          out3.set(valData3);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.open"][Instruction::CallWasm] enter', {
          funcName: '[method]master-key.open',
          paramCount: 5,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodMasterKeyOpen(handle0, ptr2, len2, ptr3, len3),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr4 = dataView(memory0).getUint32(ret + 4, true);
            var len4 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: result4
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.open"][Instruction::Return]', {
          funcName: '[method]master-key.open',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010MethodMasterKeyExportTo;

MasterKey.prototype.exportTo = function exportTo(arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodMasterKeyExportTo',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable0[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"MasterKey\" resource.');
        }
        var handle0 = handleTable0[(handle1 << 1) + 1] & ~T_FLAG;
        
        var val2 = arg1;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.export-to"][Instruction::CallWasm] enter', {
          funcName: '[method]master-key.export-to',
          paramCount: 3,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodMasterKeyExportTo(handle0, ptr2, len2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant5;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr3 = dataView(memory0).getUint32(ret + 4, true);
            var len3 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr3 % 1 !== 0) throw new TypeError(`list pointer [${ptr3}] is not aligned to 1`);
            var result3 = new Uint8Array(memory0.buffer.slice(ptr3, ptr3 + len3 * 1));
            variant5= {
              tag: 'ok',
              val: result3
            };
            break;
          }
          case 1: {
            let enum4;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum4 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum4 = 'tampered';
                break;
              }
              case 2: {
                enum4 = 'bad-format';
                break;
              }
              case 3: {
                enum4 = 'bad-parameters';
                break;
              }
              case 4: {
                enum4 = 'out-of-memory';
                break;
              }
              case 5: {
                enum4 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant5= {
              tag: 'err',
              val: enum4
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]master-key.export-to"][Instruction::Return]', {
          funcName: '[method]master-key.export-to',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant5;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};

const handleTable1 = [T_FLAG, 0];
handleTable1._createdReps = new Set();
handleTable1._componentIdx = 0;
const finalizationRegistry1 = finalizationRegistryCreate((handle) => {
  const { rep } = rscTableRemove(handleTable1, handle);
  exports0['1'](rep);
});

HANDLE_TABLES[1] = handleTable1;
let crypto010ConstructorKeyReceiver;

class KeyReceiver{
  constructor() {
    
    const hostProvided = false;
    getOrCreateAsyncState(0).throwIfTrapped();
    
    const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
      componentIdx: 0,
      isAsync: false,
      isManualAsync: false,
      preserveFutureResult: false,
      entryFnName: 'crypto010ConstructorKeyReceiver',
      getCallbackFn: () => null,
      callbackFnName: null,
      errHandling: 'none',
      callingWasmExport: true,
    });
    task.setCalleeIsAsync(false);
    
    const started = task.enterSync();
    CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
    
    if (null!== null) {
      task.setReturnMemoryIdx(null);
      task.setReturnMemory((() => null)());
    }
    
    
    return _withGlobalCurrentTaskMeta({
      taskID: task.id(),
      componentIdx: task.componentIdx(),
      fn: () => {
        try {
          
          _debugLog('[iface="hq:vault/crypto@0.1.0", function="[constructor]key-receiver"][Instruction::CallWasm] enter', {
            funcName: '[constructor]key-receiver',
            paramCount: 0,
            async: false,
            postReturn: false,
          });
          
          let ret;
          
          try {
            ret =  _withGlobalCurrentTaskMeta({
              taskID: task.id(),
              componentIdx: task.componentIdx(),
              fn: () => crypto010ConstructorKeyReceiver(),
            });
          } catch (err) {
            
            _debugLog('[Instruction::CallWasm] error during sync call', {
              taskID: task.id(),
              err,
            });
            getOrCreateAsyncState(0).markTrapped(err);
            task.setErrored(err);
            task.reject(err);
            task.exit();
            throw err;
            
          }
          
          var handle1 = ret;
          var rsc0 = new.target === KeyReceiver ? this : Object.create(KeyReceiver.prototype);
          Object.defineProperty(rsc0, symbolRscHandle, { writable: true, value: handle1});
          finalizationRegistry1.register(rsc0, handle1, rsc0);
          Object.defineProperty(rsc0, symbolDispose, { writable: true, value: function () {
            finalizationRegistry1.unregister(rsc0);
            const handleEntry = rscTableRemove(handleTable1, handle1);
            rsc0[symbolDispose] = emptyFunc;
            rsc0[symbolRscHandle] = undefined;
            exports0['1'](handleEntry.rep);
          }});
          _debugLog('[iface="hq:vault/crypto@0.1.0", function="[constructor]key-receiver"][Instruction::Return]', {
            funcName: '[constructor]key-receiver',
            paramCount: 1,
            async: false,
            postReturn: false
          });
          task.resolve([rsc0]);
          task.exit();
          return rsc0;
          
        } catch (err) {
          if (!task.isResolvedState()) {
            task.setErrored(err);
            task.reject(err);
          }
          if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
          throw err;
        }
      },
    });
    
  }
}
let crypto010MethodKeyReceiverPublicKey;

KeyReceiver.prototype.publicKey = function publicKey() {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodKeyReceiverPublicKey',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable1[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"KeyReceiver\" resource.');
        }
        var handle0 = handleTable1[(handle1 << 1) + 1] & ~T_FLAG;
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]key-receiver.public-key"][Instruction::CallWasm] enter', {
          funcName: '[method]key-receiver.public-key',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodKeyReceiverPublicKey(handle0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr2 = dataView(memory0).getUint32(ret + 0, true);
        var len2 = dataView(memory0).getUint32(ret + 4, true);
        if (ptr2 % 1 !== 0) throw new TypeError(`list pointer [${ptr2}] is not aligned to 1`);
        var result2 = new Uint8Array(memory0.buffer.slice(ptr2, ptr2 + len2 * 1));
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]key-receiver.public-key"][Instruction::Return]', {
          funcName: '[method]key-receiver.public-key',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result2]);
        const retCopy = result2;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010MethodKeyReceiverAccept;

KeyReceiver.prototype.accept = function accept(arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010MethodKeyReceiverAccept',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var handle1 = this[symbolRscHandle];
        if (!handle1 || (handleTable1[(handle1 << 1) + 1] & T_FLAG) === 0) {
          throw new TypeError('Resource error: Not a valid \"KeyReceiver\" resource.');
        }
        var handle0 = handleTable1[(handle1 << 1) + 1] & ~T_FLAG;
        
        var val2 = arg1;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]key-receiver.accept"][Instruction::CallWasm] enter', {
          funcName: '[method]key-receiver.accept',
          paramCount: 3,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010MethodKeyReceiverAccept(handle0, ptr2, len2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var handle4 = dataView(memory0).getInt32(ret + 4, true);
            var rsc3 = new.target === MasterKey ? this : Object.create(MasterKey.prototype);
            Object.defineProperty(rsc3, symbolRscHandle, { writable: true, value: handle4});
            finalizationRegistry0.register(rsc3, handle4, rsc3);
            Object.defineProperty(rsc3, symbolDispose, { writable: true, value: function () {
              finalizationRegistry0.unregister(rsc3);
              const handleEntry = rscTableRemove(handleTable0, handle4);
              rsc3[symbolDispose] = emptyFunc;
              rsc3[symbolRscHandle] = undefined;
              exports0['2'](handleEntry.rep);
            }});
            variant6= {
              tag: 'ok',
              val: rsc3
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="[method]key-receiver.accept"][Instruction::Return]', {
          funcName: '[method]key-receiver.accept',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        task.exit();
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
};
let crypto010DefaultParams;

function defaultParams() {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010DefaultParams',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="default-params"][Instruction::CallWasm] enter', {
          funcName: 'default-params',
          paramCount: 0,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010DefaultParams(),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr0 = dataView(memory0).getUint32(ret + 0, true);
        var len0 = dataView(memory0).getUint32(ret + 4, true);
        if (ptr0 % 1 !== 0) throw new TypeError(`list pointer [${ptr0}] is not aligned to 1`);
        var result0 = new Uint8Array(memory0.buffer.slice(ptr0, ptr0 + len0 * 1));
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="default-params"][Instruction::Return]', {
          funcName: 'default-params',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([{
          salt: result0,
          tCost: dataView(memory0).getInt32(ret + 8, true) >>> 0,
          mCostKib: dataView(memory0).getInt32(ret + 12, true) >>> 0,
          pCost: dataView(memory0).getInt32(ret + 16, true) >>> 0,
        }]);
        const retCopy = {
          salt: result0,
          tCost: dataView(memory0).getInt32(ret + 8, true) >>> 0,
          mCostKib: dataView(memory0).getInt32(ret + 12, true) >>> 0,
          pCost: dataView(memory0).getInt32(ret + 16, true) >>> 0,
        };
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let crypto010ChallengeMessage;

function challengeMessage(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010ChallengeMessage',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
        var ptr0 = realloc0(0, 0, 1, len0 * 1);
        
        let valData0;
        const valLenBytes0 = len0 * 1;
        if (Array.isArray(val0)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv0 = new DataView(memory0.buffer);
          for (const v of val0) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv0.setUint8(ptr0+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
          const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
          out0.set(valData0);
        }
        
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr1= encodeRes.ptr;
        var len1 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="challenge-message"][Instruction::CallWasm] enter', {
          funcName: 'challenge-message',
          paramCount: 4,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010ChallengeMessage(ptr0, len0, ptr1, len1),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr2 = dataView(memory0).getUint32(ret + 0, true);
        var len2 = dataView(memory0).getUint32(ret + 4, true);
        if (ptr2 % 1 !== 0) throw new TypeError(`list pointer [${ptr2}] is not aligned to 1`);
        var result2 = new Uint8Array(memory0.buffer.slice(ptr2, ptr2 + len2 * 1));
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="challenge-message"][Instruction::Return]', {
          funcName: 'challenge-message',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result2]);
        const retCopy = result2;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let crypto010VerifySignature;

function verifySignature(arg0, arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010VerifySignature',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
        var ptr0 = realloc0(0, 0, 1, len0 * 1);
        
        let valData0;
        const valLenBytes0 = len0 * 1;
        if (Array.isArray(val0)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv0 = new DataView(memory0.buffer);
          for (const v of val0) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv0.setUint8(ptr0+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
          const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
          out0.set(valData0);
        }
        
        var val1 = arg1;
        var len1 = Array.isArray(val1) ? val1.length : val1.byteLength;
        var ptr1 = realloc0(0, 0, 1, len1 * 1);
        
        let valData1;
        const valLenBytes1 = len1 * 1;
        if (Array.isArray(val1)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv1 = new DataView(memory0.buffer);
          for (const v of val1) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv1.setUint8(ptr1+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData1 = new Uint8Array(val1.buffer || val1, val1.byteOffset, valLenBytes1);
          const out1 = new Uint8Array(memory0.buffer, ptr1, valLenBytes1);
          out1.set(valData1);
        }
        
        var val2 = arg2;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="verify-signature"][Instruction::CallWasm] enter', {
          funcName: 'verify-signature',
          paramCount: 6,
          async: false,
          postReturn: false,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010VerifySignature(ptr0, len0, ptr1, len1, ptr2, len2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant4;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            variant4= {
              tag: 'ok',
              val: undefined
            };
            break;
          }
          case 1: {
            let enum3;
            switch (dataView(memory0).getUint8(ret + 1, true)) {
              case 0: {
                enum3 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum3 = 'tampered';
                break;
              }
              case 2: {
                enum3 = 'bad-format';
                break;
              }
              case 3: {
                enum3 = 'bad-parameters';
                break;
              }
              case 4: {
                enum3 = 'out-of-memory';
                break;
              }
              case 5: {
                enum3 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant4= {
              tag: 'err',
              val: enum3
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="verify-signature"][Instruction::Return]', {
          funcName: 'verify-signature',
          paramCount: 1,
          async: false,
          postReturn: false
        });
        const retCopy = variant4;
        task.resolve([retCopy.val]);
        task.exit();
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let crypto010Argon2id;

function argon2id(arg0, arg1, arg2, arg3, arg4, arg5, arg6, arg7) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010Argon2id',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
        var ptr0 = realloc0(0, 0, 1, len0 * 1);
        
        let valData0;
        const valLenBytes0 = len0 * 1;
        if (Array.isArray(val0)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv0 = new DataView(memory0.buffer);
          for (const v of val0) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv0.setUint8(ptr0+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
          const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
          out0.set(valData0);
        }
        
        var val1 = arg1;
        var len1 = Array.isArray(val1) ? val1.length : val1.byteLength;
        var ptr1 = realloc0(0, 0, 1, len1 * 1);
        
        let valData1;
        const valLenBytes1 = len1 * 1;
        if (Array.isArray(val1)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv1 = new DataView(memory0.buffer);
          for (const v of val1) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv1.setUint8(ptr1+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData1 = new Uint8Array(val1.buffer || val1, val1.byteOffset, valLenBytes1);
          const out1 = new Uint8Array(memory0.buffer, ptr1, valLenBytes1);
          out1.set(valData1);
        }
        
        var val2 = arg2;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        var val3 = arg3;
        var len3 = Array.isArray(val3) ? val3.length : val3.byteLength;
        var ptr3 = realloc0(0, 0, 1, len3 * 1);
        
        let valData3;
        const valLenBytes3 = len3 * 1;
        if (Array.isArray(val3)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv3 = new DataView(memory0.buffer);
          for (const v of val3) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv3.setUint8(ptr3+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData3 = new Uint8Array(val3.buffer || val3, val3.byteOffset, valLenBytes3);
          const out3 = new Uint8Array(memory0.buffer, ptr3, valLenBytes3);
          out3.set(valData3);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="argon2id"][Instruction::CallWasm] enter', {
          funcName: 'argon2id',
          paramCount: 12,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010Argon2id(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, toUint32(arg4), toUint32(arg5), toUint32(arg6), toUint32(arg7)),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr4 = dataView(memory0).getUint32(ret + 4, true);
            var len4 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: result4
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="argon2id"][Instruction::Return]', {
          funcName: 'argon2id',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let crypto010XchachaSeal;

function xchachaSeal(arg0, arg1, arg2, arg3) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010XchachaSeal',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
        var ptr0 = realloc0(0, 0, 1, len0 * 1);
        
        let valData0;
        const valLenBytes0 = len0 * 1;
        if (Array.isArray(val0)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv0 = new DataView(memory0.buffer);
          for (const v of val0) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv0.setUint8(ptr0+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
          const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
          out0.set(valData0);
        }
        
        var val1 = arg1;
        var len1 = Array.isArray(val1) ? val1.length : val1.byteLength;
        var ptr1 = realloc0(0, 0, 1, len1 * 1);
        
        let valData1;
        const valLenBytes1 = len1 * 1;
        if (Array.isArray(val1)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv1 = new DataView(memory0.buffer);
          for (const v of val1) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv1.setUint8(ptr1+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData1 = new Uint8Array(val1.buffer || val1, val1.byteOffset, valLenBytes1);
          const out1 = new Uint8Array(memory0.buffer, ptr1, valLenBytes1);
          out1.set(valData1);
        }
        
        var val2 = arg2;
        var len2 = Array.isArray(val2) ? val2.length : val2.byteLength;
        var ptr2 = realloc0(0, 0, 1, len2 * 1);
        
        let valData2;
        const valLenBytes2 = len2 * 1;
        if (Array.isArray(val2)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv2 = new DataView(memory0.buffer);
          for (const v of val2) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv2.setUint8(ptr2+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData2 = new Uint8Array(val2.buffer || val2, val2.byteOffset, valLenBytes2);
          const out2 = new Uint8Array(memory0.buffer, ptr2, valLenBytes2);
          out2.set(valData2);
        }
        
        var val3 = arg3;
        var len3 = Array.isArray(val3) ? val3.length : val3.byteLength;
        var ptr3 = realloc0(0, 0, 1, len3 * 1);
        
        let valData3;
        const valLenBytes3 = len3 * 1;
        if (Array.isArray(val3)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv3 = new DataView(memory0.buffer);
          for (const v of val3) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv3.setUint8(ptr3+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData3 = new Uint8Array(val3.buffer || val3, val3.byteOffset, valLenBytes3);
          const out3 = new Uint8Array(memory0.buffer, ptr3, valLenBytes3);
          out3.set(valData3);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="xchacha-seal"][Instruction::CallWasm] enter', {
          funcName: 'xchacha-seal',
          paramCount: 8,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010XchachaSeal(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant6;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr4 = dataView(memory0).getUint32(ret + 4, true);
            var len4 = dataView(memory0).getUint32(ret + 8, true);
            if (ptr4 % 1 !== 0) throw new TypeError(`list pointer [${ptr4}] is not aligned to 1`);
            var result4 = new Uint8Array(memory0.buffer.slice(ptr4, ptr4 + len4 * 1));
            variant6= {
              tag: 'ok',
              val: result4
            };
            break;
          }
          case 1: {
            let enum5;
            switch (dataView(memory0).getUint8(ret + 4, true)) {
              case 0: {
                enum5 = 'wrong-passphrase';
                break;
              }
              case 1: {
                enum5 = 'tampered';
                break;
              }
              case 2: {
                enum5 = 'bad-format';
                break;
              }
              case 3: {
                enum5 = 'bad-parameters';
                break;
              }
              case 4: {
                enum5 = 'out-of-memory';
                break;
              }
              case 5: {
                enum5 = 'bad-signature';
                break;
              }
              default: {
                throw new TypeError('invalid discriminant specified for CryptoError');
              }
            }
            variant6= {
              tag: 'err',
              val: enum5
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="xchacha-seal"][Instruction::Return]', {
          funcName: 'xchacha-seal',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant6;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn0(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let crypto010Sha256Hex;

function sha256Hex(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'crypto010Sha256Hex',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var val0 = arg0;
        var len0 = Array.isArray(val0) ? val0.length : val0.byteLength;
        var ptr0 = realloc0(0, 0, 1, len0 * 1);
        
        let valData0;
        const valLenBytes0 = len0 * 1;
        if (Array.isArray(val0)) {
          // Regular array likely containing numbers, write values to memory
          let offset = 0;
          const dv0 = new DataView(memory0.buffer);
          for (const v of val0) {
            _requireValidNumericPrimitive.bind(null, 'u8')(v);
            dv0.setUint8(ptr0+ offset, v, true);
            offset += 1;
          }
        } else {
          // TypedArray / ArrayBuffer-like, direct copy
          valData0 = new Uint8Array(val0.buffer || val0, val0.byteOffset, valLenBytes0);
          const out0 = new Uint8Array(memory0.buffer, ptr0, valLenBytes0);
          out0.set(valData0);
        }
        
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="sha256-hex"][Instruction::CallWasm] enter', {
          funcName: 'sha256-hex',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => crypto010Sha256Hex(ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr1 = dataView(memory0).getUint32(ret + 0, true);
        var len1 = dataView(memory0).getUint32(ret + 4, true);
        var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
        _debugLog('[iface="hq:vault/crypto@0.1.0", function="sha256-hex"][Instruction::Return]', {
          funcName: 'sha256-hex',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result1]);
        const retCopy = result1;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let audit010Genesis;

function genesis() {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'audit010Genesis',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        _debugLog('[iface="hq:vault/audit@0.1.0", function="genesis"][Instruction::CallWasm] enter', {
          funcName: 'genesis',
          paramCount: 0,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => audit010Genesis(),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr0 = dataView(memory0).getUint32(ret + 0, true);
        var len0 = dataView(memory0).getUint32(ret + 4, true);
        var result0 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr0, len0));
        _debugLog('[iface="hq:vault/audit@0.1.0", function="genesis"][Instruction::Return]', {
          funcName: 'genesis',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result0]);
        const retCopy = result0;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let audit010Encode;

function encode(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'audit010Encode',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var ptr0 = realloc0(0, 0, 8, 72);
        var {timeMs: v1_0, actor: v1_1, operation: v1_2, path: v1_3, outcome: v1_4, status: v1_5, requestId: v1_6, sourceIp: v1_7, reason: v1_8 } = arg0;
        dataView(memory0).setBigInt64(ptr0 + 0, toUint64(v1_0), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_1, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 12, len2, true);
        dataView(memory0).setUint32(ptr0 + 8, ptr2, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_2, realloc0, memory0);
        var ptr3= encodeRes.ptr;
        var len3 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 20, len3, true);
        dataView(memory0).setUint32(ptr0 + 16, ptr3, true);
        var variant5 = v1_3;
        if (variant5 === null || variant5=== undefined) {
          dataView(memory0).setInt8(ptr0 + 24, 0, true);
        } else {
          const e = variant5;
          dataView(memory0).setInt8(ptr0 + 24, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr4= encodeRes.ptr;
          var len4 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 32, len4, true);
          dataView(memory0).setUint32(ptr0 + 28, ptr4, true);
        }
        var val6 = v1_4;
        let enum6;
        switch (val6) {
          case 'allowed': {
            enum6 = 0;
            break;
          }
          case 'denied': {
            enum6 = 1;
            break;
          }
          case 'failed': {
            enum6 = 2;
            break;
          }
          default: {
            if ((v1_4) instanceof Error) {
              console.error(v1_4);
            }
            
            throw new TypeError(`"${val6}" is not one of the cases of outcome`);
          }
        }
        dataView(memory0).setInt8(ptr0 + 36, enum6, true);
        dataView(memory0).setInt16(ptr0 + 38, toUint16(v1_5), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_6, realloc0, memory0);
        var ptr7= encodeRes.ptr;
        var len7 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 44, len7, true);
        dataView(memory0).setUint32(ptr0 + 40, ptr7, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_7, realloc0, memory0);
        var ptr8= encodeRes.ptr;
        var len8 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 52, len8, true);
        dataView(memory0).setUint32(ptr0 + 48, ptr8, true);
        var variant10 = v1_8;
        if (variant10 === null || variant10=== undefined) {
          dataView(memory0).setInt8(ptr0 + 56, 0, true);
        } else {
          const e = variant10;
          dataView(memory0).setInt8(ptr0 + 56, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr9= encodeRes.ptr;
          var len9 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 64, len9, true);
          dataView(memory0).setUint32(ptr0 + 60, ptr9, true);
        }
        _debugLog('[iface="hq:vault/audit@0.1.0", function="encode"][Instruction::CallWasm] enter', {
          funcName: 'encode',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => audit010Encode(ptr0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr11 = dataView(memory0).getUint32(ret + 0, true);
        var len11 = dataView(memory0).getUint32(ret + 4, true);
        var result11 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr11, len11));
        _debugLog('[iface="hq:vault/audit@0.1.0", function="encode"][Instruction::Return]', {
          funcName: 'encode',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result11]);
        const retCopy = result11;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let audit010Chain;

function chain(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'audit010Chain',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var ptr0 = realloc0(0, 0, 8, 80);
        var {timeMs: v1_0, actor: v1_1, operation: v1_2, path: v1_3, outcome: v1_4, status: v1_5, requestId: v1_6, sourceIp: v1_7, reason: v1_8 } = arg0;
        dataView(memory0).setBigInt64(ptr0 + 0, toUint64(v1_0), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_1, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 12, len2, true);
        dataView(memory0).setUint32(ptr0 + 8, ptr2, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_2, realloc0, memory0);
        var ptr3= encodeRes.ptr;
        var len3 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 20, len3, true);
        dataView(memory0).setUint32(ptr0 + 16, ptr3, true);
        var variant5 = v1_3;
        if (variant5 === null || variant5=== undefined) {
          dataView(memory0).setInt8(ptr0 + 24, 0, true);
        } else {
          const e = variant5;
          dataView(memory0).setInt8(ptr0 + 24, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr4= encodeRes.ptr;
          var len4 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 32, len4, true);
          dataView(memory0).setUint32(ptr0 + 28, ptr4, true);
        }
        var val6 = v1_4;
        let enum6;
        switch (val6) {
          case 'allowed': {
            enum6 = 0;
            break;
          }
          case 'denied': {
            enum6 = 1;
            break;
          }
          case 'failed': {
            enum6 = 2;
            break;
          }
          default: {
            if ((v1_4) instanceof Error) {
              console.error(v1_4);
            }
            
            throw new TypeError(`"${val6}" is not one of the cases of outcome`);
          }
        }
        dataView(memory0).setInt8(ptr0 + 36, enum6, true);
        dataView(memory0).setInt16(ptr0 + 38, toUint16(v1_5), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_6, realloc0, memory0);
        var ptr7= encodeRes.ptr;
        var len7 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 44, len7, true);
        dataView(memory0).setUint32(ptr0 + 40, ptr7, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_7, realloc0, memory0);
        var ptr8= encodeRes.ptr;
        var len8 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 52, len8, true);
        dataView(memory0).setUint32(ptr0 + 48, ptr8, true);
        var variant10 = v1_8;
        if (variant10 === null || variant10=== undefined) {
          dataView(memory0).setInt8(ptr0 + 56, 0, true);
        } else {
          const e = variant10;
          dataView(memory0).setInt8(ptr0 + 56, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr9= encodeRes.ptr;
          var len9 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 64, len9, true);
          dataView(memory0).setUint32(ptr0 + 60, ptr9, true);
        }
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr11= encodeRes.ptr;
        var len11 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 76, len11, true);
        dataView(memory0).setUint32(ptr0 + 72, ptr11, true);
        _debugLog('[iface="hq:vault/audit@0.1.0", function="chain"][Instruction::CallWasm] enter', {
          funcName: 'chain',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => audit010Chain(ptr0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr12 = dataView(memory0).getUint32(ret + 0, true);
        var len12 = dataView(memory0).getUint32(ret + 4, true);
        var result12 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr12, len12));
        var ptr13 = dataView(memory0).getUint32(ret + 8, true);
        var len13 = dataView(memory0).getUint32(ret + 12, true);
        var result13 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr13, len13));
        _debugLog('[iface="hq:vault/audit@0.1.0", function="chain"][Instruction::Return]', {
          funcName: 'chain',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([{
          line: result12,
          hash: result13,
        }]);
        const retCopy = {
          line: result12,
          hash: result13,
        };
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn7(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let audit010Verify;

function verify(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'audit010Verify',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'throw-result-err',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var vec1 = arg0;
        var len1 = vec1.length;
        var result1 = realloc0(0, 0, 4, len1 * 8);
        for (let i = 0; i < vec1.length; i++) {
          const e = vec1[i];
          const base = result1 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr0= encodeRes.ptr;
          var len0 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len0, true);
          dataView(memory0).setUint32(base + 0, ptr0, true);
        }
        _debugLog('[iface="hq:vault/audit@0.1.0", function="verify"][Instruction::CallWasm] enter', {
          funcName: 'verify',
          paramCount: 2,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => audit010Verify(result1, len1),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant4;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            var ptr2 = dataView(memory0).getUint32(ret + 16, true);
            var len2 = dataView(memory0).getUint32(ret + 20, true);
            var result2 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr2, len2));
            variant4= {
              tag: 'ok',
              val: [BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 8, true))), result2]
            };
            break;
          }
          case 1: {
            var ptr3 = dataView(memory0).getUint32(ret + 16, true);
            var len3 = dataView(memory0).getUint32(ret + 20, true);
            var result3 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr3, len3));
            variant4= {
              tag: 'err',
              val: {
                line: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 8, true))),
                reason: result3,
              }
            };
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for expected');
          }
        }
        _debugLog('[iface="hq:vault/audit@0.1.0", function="verify"][Instruction::Return]', {
          funcName: 'verify',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        const retCopy = variant4;
        task.resolve([retCopy.val]);
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn8(ret);
        cstate.mayLeave = true;
        task.exit();
        
        
        
        if (typeof retCopy === 'object' && retCopy.tag === 'err') {
          throw new ComponentError(retCopy.val);
        }
        return retCopy.val;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let gate010CredentialReference;

function credentialReference(arg0) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'gate010CredentialReference',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var variant1 = arg0;
        let variant1_0;
        let variant1_1;
        let variant1_2;
        if (variant1 === null || variant1=== undefined) {
          variant1_0 = 0;
          variant1_1 = 0;
          variant1_2 = 0;
        } else {
          const e = variant1;
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr0= encodeRes.ptr;
          var len0 = encodeRes.len;
          
          variant1_0 = 1;
          variant1_1 = ptr0;
          variant1_2 = len0;
        }
        _debugLog('[iface="hq:vault/gate@0.1.0", function="credential-reference"][Instruction::CallWasm] enter', {
          funcName: 'credential-reference',
          paramCount: 3,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => gate010CredentialReference(variant1_0, variant1_1, variant1_2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        let variant3;
        switch (dataView(memory0).getUint8(ret + 0, true)) {
          case 0: {
            variant3 = undefined;
            break;
          }
          case 1: {
            var ptr2 = dataView(memory0).getUint32(ret + 4, true);
            var len2 = dataView(memory0).getUint32(ret + 8, true);
            var result2 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr2, len2));
            variant3 = result2;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        _debugLog('[iface="hq:vault/gate@0.1.0", function="credential-reference"][Instruction::Return]', {
          funcName: 'credential-reference',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([variant3]);
        const retCopy = variant3;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn9(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let gate010Decide;

function decide(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'gate010Decide',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var ptr0 = realloc0(0, 0, 8, 144);
        var {method: v1_0, route: v1_1, path: v1_2, cursor: v1_3, limit: v1_4, delimiter: v1_5, authorization: v1_6, timeMs: v1_7, requestId: v1_8, sourceIp: v1_9 } = arg0;
        
        var encodeRes = _utf8AllocateAndEncode(v1_0, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 4, len2, true);
        dataView(memory0).setUint32(ptr0 + 0, ptr2, true);
        var val3 = v1_1;
        let enum3;
        switch (val3) {
          case 'list': {
            enum3 = 0;
            break;
          }
          case 'object': {
            enum3 = 1;
            break;
          }
          default: {
            if ((v1_1) instanceof Error) {
              console.error(v1_1);
            }
            
            throw new TypeError(`"${val3}" is not one of the cases of route`);
          }
        }
        dataView(memory0).setInt8(ptr0 + 8, enum3, true);
        var variant5 = v1_2;
        if (variant5 === null || variant5=== undefined) {
          dataView(memory0).setInt8(ptr0 + 12, 0, true);
        } else {
          const e = variant5;
          dataView(memory0).setInt8(ptr0 + 12, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr4= encodeRes.ptr;
          var len4 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 20, len4, true);
          dataView(memory0).setUint32(ptr0 + 16, ptr4, true);
        }
        var variant7 = v1_3;
        if (variant7 === null || variant7=== undefined) {
          dataView(memory0).setInt8(ptr0 + 24, 0, true);
        } else {
          const e = variant7;
          dataView(memory0).setInt8(ptr0 + 24, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr6= encodeRes.ptr;
          var len6 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 32, len6, true);
          dataView(memory0).setUint32(ptr0 + 28, ptr6, true);
        }
        var variant9 = v1_4;
        if (variant9 === null || variant9=== undefined) {
          dataView(memory0).setInt8(ptr0 + 36, 0, true);
        } else {
          const e = variant9;
          dataView(memory0).setInt8(ptr0 + 36, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr8= encodeRes.ptr;
          var len8 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 44, len8, true);
          dataView(memory0).setUint32(ptr0 + 40, ptr8, true);
        }
        var variant11 = v1_5;
        if (variant11 === null || variant11=== undefined) {
          dataView(memory0).setInt8(ptr0 + 48, 0, true);
        } else {
          const e = variant11;
          dataView(memory0).setInt8(ptr0 + 48, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr10= encodeRes.ptr;
          var len10 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 56, len10, true);
          dataView(memory0).setUint32(ptr0 + 52, ptr10, true);
        }
        var variant13 = v1_6;
        if (variant13 === null || variant13=== undefined) {
          dataView(memory0).setInt8(ptr0 + 60, 0, true);
        } else {
          const e = variant13;
          dataView(memory0).setInt8(ptr0 + 60, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr12= encodeRes.ptr;
          var len12 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 68, len12, true);
          dataView(memory0).setUint32(ptr0 + 64, ptr12, true);
        }
        dataView(memory0).setBigInt64(ptr0 + 72, toUint64(v1_7), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_8, realloc0, memory0);
        var ptr14= encodeRes.ptr;
        var len14 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 84, len14, true);
        dataView(memory0).setUint32(ptr0 + 80, ptr14, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_9, realloc0, memory0);
        var ptr15= encodeRes.ptr;
        var len15 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 92, len15, true);
        dataView(memory0).setUint32(ptr0 + 88, ptr15, true);
        var variant23 = arg1;
        if (variant23 === null || variant23=== undefined) {
          dataView(memory0).setInt8(ptr0 + 96, 0, true);
        } else {
          const e = variant23;
          dataView(memory0).setInt8(ptr0 + 96, 1, true);
          var {id: v16_0, companyId: v16_1, status: v16_2, keyRef: v16_3, patterns: v16_4, companyEnabled: v16_5 } = e;
          
          var encodeRes = _utf8AllocateAndEncode(v16_0, realloc0, memory0);
          var ptr17= encodeRes.ptr;
          var len17 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 104, len17, true);
          dataView(memory0).setUint32(ptr0 + 100, ptr17, true);
          
          var encodeRes = _utf8AllocateAndEncode(v16_1, realloc0, memory0);
          var ptr18= encodeRes.ptr;
          var len18 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 112, len18, true);
          dataView(memory0).setUint32(ptr0 + 108, ptr18, true);
          var val19 = v16_2;
          let enum19;
          switch (val19) {
            case 'active': {
              enum19 = 0;
              break;
            }
            case 'revoked': {
              enum19 = 1;
              break;
            }
            default: {
              if ((v16_2) instanceof Error) {
                console.error(v16_2);
              }
              
              throw new TypeError(`"${val19}" is not one of the cases of connection-status`);
            }
          }
          dataView(memory0).setInt8(ptr0 + 116, enum19, true);
          
          var encodeRes = _utf8AllocateAndEncode(v16_3, realloc0, memory0);
          var ptr20= encodeRes.ptr;
          var len20 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 124, len20, true);
          dataView(memory0).setUint32(ptr0 + 120, ptr20, true);
          var vec22 = v16_4;
          var len22 = vec22.length;
          var result22 = realloc0(0, 0, 4, len22 * 8);
          for (let i = 0; i < vec22.length; i++) {
            const e = vec22[i];
            const base = result22 + i * 8;
            var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
            var ptr21= encodeRes.ptr;
            var len21 = encodeRes.len;
            
            dataView(memory0).setUint32(base + 4, len21, true);
            dataView(memory0).setUint32(base + 0, ptr21, true);
          }
          dataView(memory0).setUint32(ptr0 + 132, len22, true);
          dataView(memory0).setUint32(ptr0 + 128, result22, true);
          dataView(memory0).setInt8(ptr0 + 136, v16_5 ? 1 : 0, true);
        }
        _debugLog('[iface="hq:vault/gate@0.1.0", function="decide"][Instruction::CallWasm] enter', {
          funcName: 'decide',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => gate010Decide(ptr0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr24 = dataView(memory0).getUint32(ret + 4, true);
        var len24 = dataView(memory0).getUint32(ret + 8, true);
        var result24 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr24, len24));
        var ptr25 = dataView(memory0).getUint32(ret + 12, true);
        var len25 = dataView(memory0).getUint32(ret + 16, true);
        var result25 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr25, len25));
        var ptr26 = dataView(memory0).getUint32(ret + 20, true);
        var len26 = dataView(memory0).getUint32(ret + 24, true);
        var result26 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr26, len26));
        var len29 = dataView(memory0).getUint32(ret + 32, true);
        var base29 = dataView(memory0).getUint32(ret + 28, true);
        if (base29 % 4 !== 0) throw new TypeError(`list pointer [${base29}] is not aligned to 4`);
        var result29 = [];
        for (let i = 0; i < len29; i++) {
          const base = base29 + i * 16;
          var ptr27 = dataView(memory0).getUint32(base + 0, true);
          var len27 = dataView(memory0).getUint32(base + 4, true);
          var result27 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr27, len27));
          var ptr28 = dataView(memory0).getUint32(base + 8, true);
          var len28 = dataView(memory0).getUint32(base + 12, true);
          var result28 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr28, len28));
          result29.push([result27, result28]);
        }
        let variant40;
        switch (dataView(memory0).getUint8(ret + 36, true)) {
          case 0: {
            variant40 = undefined;
            break;
          }
          case 1: {
            let variant39;
            switch (dataView(memory0).getUint8(ret + 40, true)) {
              case 0: {
                var len34 = dataView(memory0).getUint32(ret + 48, true);
                var base34 = dataView(memory0).getUint32(ret + 44, true);
                if (base34 % 4 !== 0) throw new TypeError(`list pointer [${base34}] is not aligned to 4`);
                var result34 = [];
                for (let i = 0; i < len34; i++) {
                  const base = base34 + i * 24;
                  var ptr30 = dataView(memory0).getUint32(base + 0, true);
                  var len30 = dataView(memory0).getUint32(base + 4, true);
                  var result30 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr30, len30));
                  var bool31 = dataView(memory0).getUint8(base + 8, true);
                  let variant33;
                  switch (dataView(memory0).getUint8(base + 12, true)) {
                    case 0: {
                      variant33 = undefined;
                      break;
                    }
                    case 1: {
                      var ptr32 = dataView(memory0).getUint32(base + 16, true);
                      var len32 = dataView(memory0).getUint32(base + 20, true);
                      var result32 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr32, len32));
                      variant33 = result32;
                      break;
                    }
                    default: {
                      throw new TypeError('invalid variant discriminant for option');
                    }
                  }
                  result34.push({
                    prefix: result30,
                    exact: bool31 == 0 ? false : (bool31 == 1 ? true : throwInvalidBool()),
                    rollup: variant33,
                  });
                }
                let variant36;
                switch (dataView(memory0).getUint8(ret + 56, true)) {
                  case 0: {
                    variant36 = undefined;
                    break;
                  }
                  case 1: {
                    var ptr35 = dataView(memory0).getUint32(ret + 60, true);
                    var len35 = dataView(memory0).getUint32(ret + 64, true);
                    var result35 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr35, len35));
                    variant36 = result35;
                    break;
                  }
                  default: {
                    throw new TypeError('invalid variant discriminant for option');
                  }
                }
                var bool37 = dataView(memory0).getUint8(ret + 72, true);
                variant39= {
                  tag: 'list',
                  val: {
                    sources: result34,
                    startSource: dataView(memory0).getInt32(ret + 52, true) >>> 0,
                    startInner: variant36,
                    limit: dataView(memory0).getInt32(ret + 68, true) >>> 0,
                    delimited: bool37 == 0 ? false : (bool37 == 1 ? true : throwInvalidBool()),
                  }
                };
                break;
              }
              case 1: {
                var ptr38 = dataView(memory0).getUint32(ret + 44, true);
                var len38 = dataView(memory0).getUint32(ret + 48, true);
                var result38 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr38, len38));
                variant39= {
                  tag: 'object',
                  val: result38
                };
                break;
              }
              default: {
                throw new TypeError('invalid variant discriminant for Plan');
              }
            }
            variant40 = variant39;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        var ptr41 = dataView(memory0).getUint32(ret + 88, true);
        var len41 = dataView(memory0).getUint32(ret + 92, true);
        var result41 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr41, len41));
        var ptr42 = dataView(memory0).getUint32(ret + 96, true);
        var len42 = dataView(memory0).getUint32(ret + 100, true);
        var result42 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr42, len42));
        let variant44;
        switch (dataView(memory0).getUint8(ret + 104, true)) {
          case 0: {
            variant44 = undefined;
            break;
          }
          case 1: {
            var ptr43 = dataView(memory0).getUint32(ret + 108, true);
            var len43 = dataView(memory0).getUint32(ret + 112, true);
            var result43 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr43, len43));
            variant44 = result43;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        let enum45;
        switch (dataView(memory0).getUint8(ret + 116, true)) {
          case 0: {
            enum45 = 'allowed';
            break;
          }
          case 1: {
            enum45 = 'denied';
            break;
          }
          case 2: {
            enum45 = 'failed';
            break;
          }
          default: {
            throw new TypeError('invalid discriminant specified for Outcome');
          }
        }
        var ptr46 = dataView(memory0).getUint32(ret + 120, true);
        var len46 = dataView(memory0).getUint32(ret + 124, true);
        var result46 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr46, len46));
        var ptr47 = dataView(memory0).getUint32(ret + 128, true);
        var len47 = dataView(memory0).getUint32(ret + 132, true);
        var result47 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr47, len47));
        let variant49;
        switch (dataView(memory0).getUint8(ret + 136, true)) {
          case 0: {
            variant49 = undefined;
            break;
          }
          case 1: {
            var ptr48 = dataView(memory0).getUint32(ret + 140, true);
            var len48 = dataView(memory0).getUint32(ret + 144, true);
            var result48 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr48, len48));
            variant49 = result48;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        _debugLog('[iface="hq:vault/gate@0.1.0", function="decide"][Instruction::Return]', {
          funcName: 'decide',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([{
          status: clampGuest(dataView(memory0).getUint16(ret + 0, true), 0, 65535),
          code: result24,
          message: result25,
          errorBody: result26,
          headers: result29,
          plan: variant40,
          audit: {
            timeMs: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 80, true))),
            actor: result41,
            operation: result42,
            path: variant44,
            outcome: enum45,
            status: clampGuest(dataView(memory0).getUint16(ret + 118, true), 0, 65535),
            requestId: result46,
            sourceIp: result47,
            reason: variant49,
          },
        }]);
        const retCopy = {
          status: clampGuest(dataView(memory0).getUint16(ret + 0, true), 0, 65535),
          code: result24,
          message: result25,
          errorBody: result26,
          headers: result29,
          plan: variant40,
          audit: {
            timeMs: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 80, true))),
            actor: result41,
            operation: result42,
            path: variant44,
            outcome: enum45,
            status: clampGuest(dataView(memory0).getUint16(ret + 118, true), 0, 65535),
            requestId: result46,
            sourceIp: result47,
            reason: variant49,
          },
        };
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn10(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let gate010NotFound;

function notFound(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'gate010NotFound',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        var ptr0 = realloc0(0, 0, 8, 136);
        var {method: v1_0, route: v1_1, path: v1_2, cursor: v1_3, limit: v1_4, delimiter: v1_5, authorization: v1_6, timeMs: v1_7, requestId: v1_8, sourceIp: v1_9 } = arg0;
        
        var encodeRes = _utf8AllocateAndEncode(v1_0, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 4, len2, true);
        dataView(memory0).setUint32(ptr0 + 0, ptr2, true);
        var val3 = v1_1;
        let enum3;
        switch (val3) {
          case 'list': {
            enum3 = 0;
            break;
          }
          case 'object': {
            enum3 = 1;
            break;
          }
          default: {
            if ((v1_1) instanceof Error) {
              console.error(v1_1);
            }
            
            throw new TypeError(`"${val3}" is not one of the cases of route`);
          }
        }
        dataView(memory0).setInt8(ptr0 + 8, enum3, true);
        var variant5 = v1_2;
        if (variant5 === null || variant5=== undefined) {
          dataView(memory0).setInt8(ptr0 + 12, 0, true);
        } else {
          const e = variant5;
          dataView(memory0).setInt8(ptr0 + 12, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr4= encodeRes.ptr;
          var len4 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 20, len4, true);
          dataView(memory0).setUint32(ptr0 + 16, ptr4, true);
        }
        var variant7 = v1_3;
        if (variant7 === null || variant7=== undefined) {
          dataView(memory0).setInt8(ptr0 + 24, 0, true);
        } else {
          const e = variant7;
          dataView(memory0).setInt8(ptr0 + 24, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr6= encodeRes.ptr;
          var len6 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 32, len6, true);
          dataView(memory0).setUint32(ptr0 + 28, ptr6, true);
        }
        var variant9 = v1_4;
        if (variant9 === null || variant9=== undefined) {
          dataView(memory0).setInt8(ptr0 + 36, 0, true);
        } else {
          const e = variant9;
          dataView(memory0).setInt8(ptr0 + 36, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr8= encodeRes.ptr;
          var len8 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 44, len8, true);
          dataView(memory0).setUint32(ptr0 + 40, ptr8, true);
        }
        var variant11 = v1_5;
        if (variant11 === null || variant11=== undefined) {
          dataView(memory0).setInt8(ptr0 + 48, 0, true);
        } else {
          const e = variant11;
          dataView(memory0).setInt8(ptr0 + 48, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr10= encodeRes.ptr;
          var len10 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 56, len10, true);
          dataView(memory0).setUint32(ptr0 + 52, ptr10, true);
        }
        var variant13 = v1_6;
        if (variant13 === null || variant13=== undefined) {
          dataView(memory0).setInt8(ptr0 + 60, 0, true);
        } else {
          const e = variant13;
          dataView(memory0).setInt8(ptr0 + 60, 1, true);
          
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr12= encodeRes.ptr;
          var len12 = encodeRes.len;
          
          dataView(memory0).setUint32(ptr0 + 68, len12, true);
          dataView(memory0).setUint32(ptr0 + 64, ptr12, true);
        }
        dataView(memory0).setBigInt64(ptr0 + 72, toUint64(v1_7), true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_8, realloc0, memory0);
        var ptr14= encodeRes.ptr;
        var len14 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 84, len14, true);
        dataView(memory0).setUint32(ptr0 + 80, ptr14, true);
        
        var encodeRes = _utf8AllocateAndEncode(v1_9, realloc0, memory0);
        var ptr15= encodeRes.ptr;
        var len15 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 92, len15, true);
        dataView(memory0).setUint32(ptr0 + 88, ptr15, true);
        var {id: v16_0, companyId: v16_1, status: v16_2, keyRef: v16_3, patterns: v16_4, companyEnabled: v16_5 } = arg1;
        
        var encodeRes = _utf8AllocateAndEncode(v16_0, realloc0, memory0);
        var ptr17= encodeRes.ptr;
        var len17 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 100, len17, true);
        dataView(memory0).setUint32(ptr0 + 96, ptr17, true);
        
        var encodeRes = _utf8AllocateAndEncode(v16_1, realloc0, memory0);
        var ptr18= encodeRes.ptr;
        var len18 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 108, len18, true);
        dataView(memory0).setUint32(ptr0 + 104, ptr18, true);
        var val19 = v16_2;
        let enum19;
        switch (val19) {
          case 'active': {
            enum19 = 0;
            break;
          }
          case 'revoked': {
            enum19 = 1;
            break;
          }
          default: {
            if ((v16_2) instanceof Error) {
              console.error(v16_2);
            }
            
            throw new TypeError(`"${val19}" is not one of the cases of connection-status`);
          }
        }
        dataView(memory0).setInt8(ptr0 + 112, enum19, true);
        
        var encodeRes = _utf8AllocateAndEncode(v16_3, realloc0, memory0);
        var ptr20= encodeRes.ptr;
        var len20 = encodeRes.len;
        
        dataView(memory0).setUint32(ptr0 + 120, len20, true);
        dataView(memory0).setUint32(ptr0 + 116, ptr20, true);
        var vec22 = v16_4;
        var len22 = vec22.length;
        var result22 = realloc0(0, 0, 4, len22 * 8);
        for (let i = 0; i < vec22.length; i++) {
          const e = vec22[i];
          const base = result22 + i * 8;
          var encodeRes = _utf8AllocateAndEncode(e, realloc0, memory0);
          var ptr21= encodeRes.ptr;
          var len21 = encodeRes.len;
          
          dataView(memory0).setUint32(base + 4, len21, true);
          dataView(memory0).setUint32(base + 0, ptr21, true);
        }
        dataView(memory0).setUint32(ptr0 + 128, len22, true);
        dataView(memory0).setUint32(ptr0 + 124, result22, true);
        dataView(memory0).setInt8(ptr0 + 132, v16_5 ? 1 : 0, true);
        _debugLog('[iface="hq:vault/gate@0.1.0", function="not-found"][Instruction::CallWasm] enter', {
          funcName: 'not-found',
          paramCount: 1,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => gate010NotFound(ptr0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr23 = dataView(memory0).getUint32(ret + 4, true);
        var len23 = dataView(memory0).getUint32(ret + 8, true);
        var result23 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr23, len23));
        var ptr24 = dataView(memory0).getUint32(ret + 12, true);
        var len24 = dataView(memory0).getUint32(ret + 16, true);
        var result24 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr24, len24));
        var ptr25 = dataView(memory0).getUint32(ret + 20, true);
        var len25 = dataView(memory0).getUint32(ret + 24, true);
        var result25 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr25, len25));
        var len28 = dataView(memory0).getUint32(ret + 32, true);
        var base28 = dataView(memory0).getUint32(ret + 28, true);
        if (base28 % 4 !== 0) throw new TypeError(`list pointer [${base28}] is not aligned to 4`);
        var result28 = [];
        for (let i = 0; i < len28; i++) {
          const base = base28 + i * 16;
          var ptr26 = dataView(memory0).getUint32(base + 0, true);
          var len26 = dataView(memory0).getUint32(base + 4, true);
          var result26 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr26, len26));
          var ptr27 = dataView(memory0).getUint32(base + 8, true);
          var len27 = dataView(memory0).getUint32(base + 12, true);
          var result27 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr27, len27));
          result28.push([result26, result27]);
        }
        let variant39;
        switch (dataView(memory0).getUint8(ret + 36, true)) {
          case 0: {
            variant39 = undefined;
            break;
          }
          case 1: {
            let variant38;
            switch (dataView(memory0).getUint8(ret + 40, true)) {
              case 0: {
                var len33 = dataView(memory0).getUint32(ret + 48, true);
                var base33 = dataView(memory0).getUint32(ret + 44, true);
                if (base33 % 4 !== 0) throw new TypeError(`list pointer [${base33}] is not aligned to 4`);
                var result33 = [];
                for (let i = 0; i < len33; i++) {
                  const base = base33 + i * 24;
                  var ptr29 = dataView(memory0).getUint32(base + 0, true);
                  var len29 = dataView(memory0).getUint32(base + 4, true);
                  var result29 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr29, len29));
                  var bool30 = dataView(memory0).getUint8(base + 8, true);
                  let variant32;
                  switch (dataView(memory0).getUint8(base + 12, true)) {
                    case 0: {
                      variant32 = undefined;
                      break;
                    }
                    case 1: {
                      var ptr31 = dataView(memory0).getUint32(base + 16, true);
                      var len31 = dataView(memory0).getUint32(base + 20, true);
                      var result31 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr31, len31));
                      variant32 = result31;
                      break;
                    }
                    default: {
                      throw new TypeError('invalid variant discriminant for option');
                    }
                  }
                  result33.push({
                    prefix: result29,
                    exact: bool30 == 0 ? false : (bool30 == 1 ? true : throwInvalidBool()),
                    rollup: variant32,
                  });
                }
                let variant35;
                switch (dataView(memory0).getUint8(ret + 56, true)) {
                  case 0: {
                    variant35 = undefined;
                    break;
                  }
                  case 1: {
                    var ptr34 = dataView(memory0).getUint32(ret + 60, true);
                    var len34 = dataView(memory0).getUint32(ret + 64, true);
                    var result34 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr34, len34));
                    variant35 = result34;
                    break;
                  }
                  default: {
                    throw new TypeError('invalid variant discriminant for option');
                  }
                }
                var bool36 = dataView(memory0).getUint8(ret + 72, true);
                variant38= {
                  tag: 'list',
                  val: {
                    sources: result33,
                    startSource: dataView(memory0).getInt32(ret + 52, true) >>> 0,
                    startInner: variant35,
                    limit: dataView(memory0).getInt32(ret + 68, true) >>> 0,
                    delimited: bool36 == 0 ? false : (bool36 == 1 ? true : throwInvalidBool()),
                  }
                };
                break;
              }
              case 1: {
                var ptr37 = dataView(memory0).getUint32(ret + 44, true);
                var len37 = dataView(memory0).getUint32(ret + 48, true);
                var result37 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr37, len37));
                variant38= {
                  tag: 'object',
                  val: result37
                };
                break;
              }
              default: {
                throw new TypeError('invalid variant discriminant for Plan');
              }
            }
            variant39 = variant38;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        var ptr40 = dataView(memory0).getUint32(ret + 88, true);
        var len40 = dataView(memory0).getUint32(ret + 92, true);
        var result40 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr40, len40));
        var ptr41 = dataView(memory0).getUint32(ret + 96, true);
        var len41 = dataView(memory0).getUint32(ret + 100, true);
        var result41 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr41, len41));
        let variant43;
        switch (dataView(memory0).getUint8(ret + 104, true)) {
          case 0: {
            variant43 = undefined;
            break;
          }
          case 1: {
            var ptr42 = dataView(memory0).getUint32(ret + 108, true);
            var len42 = dataView(memory0).getUint32(ret + 112, true);
            var result42 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr42, len42));
            variant43 = result42;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        let enum44;
        switch (dataView(memory0).getUint8(ret + 116, true)) {
          case 0: {
            enum44 = 'allowed';
            break;
          }
          case 1: {
            enum44 = 'denied';
            break;
          }
          case 2: {
            enum44 = 'failed';
            break;
          }
          default: {
            throw new TypeError('invalid discriminant specified for Outcome');
          }
        }
        var ptr45 = dataView(memory0).getUint32(ret + 120, true);
        var len45 = dataView(memory0).getUint32(ret + 124, true);
        var result45 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr45, len45));
        var ptr46 = dataView(memory0).getUint32(ret + 128, true);
        var len46 = dataView(memory0).getUint32(ret + 132, true);
        var result46 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr46, len46));
        let variant48;
        switch (dataView(memory0).getUint8(ret + 136, true)) {
          case 0: {
            variant48 = undefined;
            break;
          }
          case 1: {
            var ptr47 = dataView(memory0).getUint32(ret + 140, true);
            var len47 = dataView(memory0).getUint32(ret + 144, true);
            var result47 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr47, len47));
            variant48 = result47;
            break;
          }
          default: {
            throw new TypeError('invalid variant discriminant for option');
          }
        }
        _debugLog('[iface="hq:vault/gate@0.1.0", function="not-found"][Instruction::Return]', {
          funcName: 'not-found',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([{
          status: clampGuest(dataView(memory0).getUint16(ret + 0, true), 0, 65535),
          code: result23,
          message: result24,
          errorBody: result25,
          headers: result28,
          plan: variant39,
          audit: {
            timeMs: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 80, true))),
            actor: result40,
            operation: result41,
            path: variant43,
            outcome: enum44,
            status: clampGuest(dataView(memory0).getUint16(ret + 118, true), 0, 65535),
            requestId: result45,
            sourceIp: result46,
            reason: variant48,
          },
        }]);
        const retCopy = {
          status: clampGuest(dataView(memory0).getUint16(ret + 0, true), 0, 65535),
          code: result23,
          message: result24,
          errorBody: result25,
          headers: result28,
          plan: variant39,
          audit: {
            timeMs: BigInt.asUintN(64, BigInt(dataView(memory0).getBigInt64(ret + 80, true))),
            actor: result40,
            operation: result41,
            path: variant43,
            outcome: enum44,
            status: clampGuest(dataView(memory0).getUint16(ret + 118, true), 0, 65535),
            requestId: result45,
            sourceIp: result46,
            reason: variant48,
          },
        };
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn10(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let gate010EncodeCursor;

function encodeCursor(arg0, arg1) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'gate010EncodeCursor',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/gate@0.1.0", function="encode-cursor"][Instruction::CallWasm] enter', {
          funcName: 'encode-cursor',
          paramCount: 3,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => gate010EncodeCursor(toUint32(arg0), ptr0, len0),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr1 = dataView(memory0).getUint32(ret + 0, true);
        var len1 = dataView(memory0).getUint32(ret + 4, true);
        var result1 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr1, len1));
        _debugLog('[iface="hq:vault/gate@0.1.0", function="encode-cursor"][Instruction::Return]', {
          funcName: 'encode-cursor',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result1]);
        const retCopy = result1;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
let gate010ErrorBody;

function errorBody(arg0, arg1, arg2) {
  
  const hostProvided = false;
  getOrCreateAsyncState(0).throwIfTrapped();
  
  const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
    componentIdx: 0,
    isAsync: false,
    isManualAsync: false,
    preserveFutureResult: false,
    entryFnName: 'gate010ErrorBody',
    getCallbackFn: () => null,
    callbackFnName: null,
    errHandling: 'none',
    callingWasmExport: true,
  });
  task.setCalleeIsAsync(false);
  
  const started = task.enterSync();
  CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;
  
  if (0!== null) {
    task.setReturnMemoryIdx(0);
    task.setReturnMemory((() => memory0)());
  }
  
  
  return _withGlobalCurrentTaskMeta({
    taskID: task.id(),
    componentIdx: task.componentIdx(),
    fn: () => {
      try {
        
        
        var encodeRes = _utf8AllocateAndEncode(arg0, realloc0, memory0);
        var ptr0= encodeRes.ptr;
        var len0 = encodeRes.len;
        
        
        var encodeRes = _utf8AllocateAndEncode(arg1, realloc0, memory0);
        var ptr1= encodeRes.ptr;
        var len1 = encodeRes.len;
        
        
        var encodeRes = _utf8AllocateAndEncode(arg2, realloc0, memory0);
        var ptr2= encodeRes.ptr;
        var len2 = encodeRes.len;
        
        _debugLog('[iface="hq:vault/gate@0.1.0", function="error-body"][Instruction::CallWasm] enter', {
          funcName: 'error-body',
          paramCount: 6,
          async: false,
          postReturn: true,
        });
        
        let ret;
        
        try {
          ret =  _withGlobalCurrentTaskMeta({
            taskID: task.id(),
            componentIdx: task.componentIdx(),
            fn: () => gate010ErrorBody(ptr0, len0, ptr1, len1, ptr2, len2),
          });
        } catch (err) {
          
          _debugLog('[Instruction::CallWasm] error during sync call', {
            taskID: task.id(),
            err,
          });
          getOrCreateAsyncState(0).markTrapped(err);
          task.setErrored(err);
          task.reject(err);
          task.exit();
          throw err;
          
        }
        
        var ptr3 = dataView(memory0).getUint32(ret + 0, true);
        var len3 = dataView(memory0).getUint32(ret + 4, true);
        var result3 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr3, len3));
        _debugLog('[iface="hq:vault/gate@0.1.0", function="error-body"][Instruction::Return]', {
          funcName: 'error-body',
          paramCount: 1,
          async: false,
          postReturn: true
        });
        task.resolve([result3]);
        const retCopy = result3;
        
        let cstate = getOrCreateAsyncState(0);
        cstate.mayLeave = false;
        postReturn3(ret);
        cstate.mayLeave = true;
        task.exit();
        return retCopy;
        
        
      } catch (err) {
        if (!task.isResolvedState()) {
          task.setErrored(err);
          task.reject(err);
        }
        if (!task.isExited()) { task.exit({ skipExclusiveLockCheck: true }); }
        throw err;
      }
    },
  });
  
}
const trampoline0 = rscTableCreateOwn.bind(null, handleTable0);
const trampoline1 = rscTableCreateOwn.bind(null, handleTable1);
function trampoline2(handle) {
  const handleEntry = rscTableRemove(handleTable1, handle);
  if (handleEntry.own) {
    exports0['1'](handleEntry.rep);
  }
}
function trampoline3(handle) {
  const handleEntry = rscTableRemove(handleTable0, handle);
  if (handleEntry.own) {
    exports0['2'](handleEntry.rep);
  }
}
let trampoline4 = _trampoline4.manuallyAsync ? new WebAssembly.Suspending(_suspendingImport(0, _lowerImportBackwardsCompat.bind(
null,
{
  trampolineIdx: 4,
  componentIdx: 0,
  isAsync: false,
  isManualAsync: _trampoline4.manuallyAsync,
  paramLiftFns: [_liftFlatU32],
  resultLowerFns: [_lowerFlatList({
    elemLowerFn: _lowerFlatU8,
    elemSize32: 1,
    elemAlign32: 1,
  })],
  hasResultPointer: true,
  funcTypeIsAsync: false,
  getCallbackFn: () => null,
  getPostReturnFn: () => null,
  isCancellable: false,
  memoryIdx: 0,
  stringEncoding: 'utf8',
  getMemoryFn: () => memory0,
  getReallocFn: () => realloc0,
  importFn: _trampoline4,
},
))) : _lowerImportBackwardsCompat.bind(
null,
{
  trampolineIdx: 4,
  componentIdx: 0,
  isAsync: false,
  isManualAsync: _trampoline4.manuallyAsync,
  paramLiftFns: [_liftFlatU32],
  resultLowerFns: [_lowerFlatList({
    elemLowerFn: _lowerFlatU8,
    elemSize32: 1,
    elemAlign32: 1,
  })],
  hasResultPointer: true,
  funcTypeIsAsync: false,
  getCallbackFn: () => null,
  getPostReturnFn: () => null,
  isCancellable: false,
  memoryIdx: 0,
  stringEncoding: 'utf8',
  getMemoryFn: () => memory0,
  getReallocFn: () => realloc0,
  importFn: _trampoline4,
},
);

const $init = (() => {
  let gen= (function* _initGenerator () {
    const module0 = fetchCompile(new URL('./hq_vault_core.core.wasm', import.meta.url));
    const module1 = base64Compile('AGFzbQEAAAABCgJgAn9/AGABfwADBAMAAQEEBQFwAQMDBxgEATAAAAExAAEBMgACCCRpbXBvcnRzAQAKIQMLACAAIAFBABEAAAsJACAAQQERAQALCQAgAEECEQEACwAvCXByb2R1Y2VycwEMcHJvY2Vzc2VkLWJ5AQ13aXQtY29tcG9uZW50BzAuMjYzLjA');
    const module2 = base64Compile('AGFzbQEAAAABCgJgAn9/AGABfwACNQQGYWN0dWFsATAAAAZhY3R1YWwBMQABBmFjdHVhbAEyAAEEc2hpbQgkaW1wb3J0cwFwAQMDCQkBAEEACwMAAQIALwlwcm9kdWNlcnMBDHByb2Nlc3NlZC1ieQENd2l0LWNvbXBvbmVudAcwLjI2My4w');
    const instanceFlags0 = new WebAssembly.Global({ value: "i32", mutable: true }, 1);
    INSTANCE_FLAGS.set(0, instanceFlags0);
    ({ exports: exports0 } = yield instantiateCore(yield module1));
    ({ exports: exports1 } = yield instantiateCore(yield module0, {
      '[export]hq:vault/crypto@0.1.0': {
        '[resource-drop]key-receiver': Object.assign(_guardMayLeave(0, trampoline2), { _jcoMaySuspend: false }),
        '[resource-drop]master-key': Object.assign(_guardMayLeave(0, trampoline3), { _jcoMaySuspend: false }),
        '[resource-new]key-receiver': Object.assign(_guardMayLeave(0, trampoline1), { _jcoMaySuspend: false }),
        '[resource-new]master-key': Object.assign(_guardMayLeave(0, trampoline0), { _jcoMaySuspend: false }),
      },
      'hq:vault/entropy@0.1.0': {
        fill: Object.assign(exports0['0'], { _jcoMaySuspend: false }),
      },
    }));
    memory0 = exports1.memory;
    realloc0 = exports1.cabi_realloc;
    
    try {
      realloc0Async = WebAssembly.promising(exports1.cabi_realloc);
    } catch(err) {
      realloc0Async = exports1.cabi_realloc;
    }
    
    ({ exports: exports2 } = yield instantiateCore(yield module2, {
      actual: {
        '0': Object.assign(trampoline4, { _jcoMaySuspend: false }),
        '1': Object.assign(exports1['hq:vault/crypto@0.1.0#[dtor]key-receiver'], { _jcoMaySuspend: false }),
        '2': Object.assign(exports1['hq:vault/crypto@0.1.0#[dtor]master-key'], { _jcoMaySuspend: false }),
      },
      shim: {
        $imports: exports0.$imports,
      },
    }));
    postReturn0 = exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.export-to'];
    
    try {
      postReturn0Async = WebAssembly.promising(exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.export-to']);
    } catch(err) {
      postReturn0Async = exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.export-to'];
    }
    
    postReturn1 = exports1['cabi_post_hq:vault/patterns@0.1.0#normalize-all'];
    
    try {
      postReturn1Async = WebAssembly.promising(exports1['cabi_post_hq:vault/patterns@0.1.0#normalize-all']);
    } catch(err) {
      postReturn1Async = exports1['cabi_post_hq:vault/patterns@0.1.0#normalize-all'];
    }
    
    postReturn2 = exports1['cabi_post_hq:vault/patterns@0.1.0#plan-listing'];
    
    try {
      postReturn2Async = WebAssembly.promising(exports1['cabi_post_hq:vault/patterns@0.1.0#plan-listing']);
    } catch(err) {
      postReturn2Async = exports1['cabi_post_hq:vault/patterns@0.1.0#plan-listing'];
    }
    
    postReturn3 = exports1['cabi_post_hq:vault/audit@0.1.0#encode'];
    
    try {
      postReturn3Async = WebAssembly.promising(exports1['cabi_post_hq:vault/audit@0.1.0#encode']);
    } catch(err) {
      postReturn3Async = exports1['cabi_post_hq:vault/audit@0.1.0#encode'];
    }
    
    postReturn4 = exports1['cabi_post_hq:vault/tokens@0.1.0#parse-duration'];
    
    try {
      postReturn4Async = WebAssembly.promising(exports1['cabi_post_hq:vault/tokens@0.1.0#parse-duration']);
    } catch(err) {
      postReturn4Async = exports1['cabi_post_hq:vault/tokens@0.1.0#parse-duration'];
    }
    
    postReturn5 = exports1['cabi_post_hq:vault/crypto@0.1.0#[static]master-key.create'];
    
    try {
      postReturn5Async = WebAssembly.promising(exports1['cabi_post_hq:vault/crypto@0.1.0#[static]master-key.create']);
    } catch(err) {
      postReturn5Async = exports1['cabi_post_hq:vault/crypto@0.1.0#[static]master-key.create'];
    }
    
    postReturn6 = exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.rewrap'];
    
    try {
      postReturn6Async = WebAssembly.promising(exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.rewrap']);
    } catch(err) {
      postReturn6Async = exports1['cabi_post_hq:vault/crypto@0.1.0#[method]master-key.rewrap'];
    }
    
    postReturn7 = exports1['cabi_post_hq:vault/audit@0.1.0#chain'];
    
    try {
      postReturn7Async = WebAssembly.promising(exports1['cabi_post_hq:vault/audit@0.1.0#chain']);
    } catch(err) {
      postReturn7Async = exports1['cabi_post_hq:vault/audit@0.1.0#chain'];
    }
    
    postReturn8 = exports1['cabi_post_hq:vault/audit@0.1.0#verify'];
    
    try {
      postReturn8Async = WebAssembly.promising(exports1['cabi_post_hq:vault/audit@0.1.0#verify']);
    } catch(err) {
      postReturn8Async = exports1['cabi_post_hq:vault/audit@0.1.0#verify'];
    }
    
    postReturn9 = exports1['cabi_post_hq:vault/gate@0.1.0#credential-reference'];
    
    try {
      postReturn9Async = WebAssembly.promising(exports1['cabi_post_hq:vault/gate@0.1.0#credential-reference']);
    } catch(err) {
      postReturn9Async = exports1['cabi_post_hq:vault/gate@0.1.0#credential-reference'];
    }
    
    postReturn10 = exports1['cabi_post_hq:vault/gate@0.1.0#decide'];
    
    try {
      postReturn10Async = WebAssembly.promising(exports1['cabi_post_hq:vault/gate@0.1.0#decide']);
    } catch(err) {
      postReturn10Async = exports1['cabi_post_hq:vault/gate@0.1.0#decide'];
    }
    
    patterns010Normalize = exports1['hq:vault/patterns@0.1.0#normalize'];
    patterns010NormalizeAll = exports1['hq:vault/patterns@0.1.0#normalize-all'];
    patterns010CheckPath = exports1['hq:vault/patterns@0.1.0#check-path'];
    patterns010CheckKey = exports1['hq:vault/patterns@0.1.0#check-key'];
    patterns010Allows = exports1['hq:vault/patterns@0.1.0#allows'];
    patterns010PlanListing = exports1['hq:vault/patterns@0.1.0#plan-listing'];
    tokens010TokenLength = exports1['hq:vault/tokens@0.1.0#token-length'];
    tokens010Mint = exports1['hq:vault/tokens@0.1.0#mint'];
    tokens010Parse = exports1['hq:vault/tokens@0.1.0#parse'];
    tokens010Reference = exports1['hq:vault/tokens@0.1.0#reference'];
    tokens010ReferencesEqual = exports1['hq:vault/tokens@0.1.0#references-equal'];
    tokens010Evaluate = exports1['hq:vault/tokens@0.1.0#evaluate'];
    tokens010ParseDuration = exports1['hq:vault/tokens@0.1.0#parse-duration'];
    crypto010StaticMasterKeyCreate = exports1['hq:vault/crypto@0.1.0#[static]master-key.create'];
    crypto010StaticMasterKeyUnlock = exports1['hq:vault/crypto@0.1.0#[static]master-key.unlock'];
    crypto010MethodMasterKeyRewrap = exports1['hq:vault/crypto@0.1.0#[method]master-key.rewrap'];
    crypto010MethodMasterKeySeal = exports1['hq:vault/crypto@0.1.0#[method]master-key.seal'];
    crypto010MethodMasterKeyOpen = exports1['hq:vault/crypto@0.1.0#[method]master-key.open'];
    crypto010MethodMasterKeyExportTo = exports1['hq:vault/crypto@0.1.0#[method]master-key.export-to'];
    crypto010ConstructorKeyReceiver = exports1['hq:vault/crypto@0.1.0#[constructor]key-receiver'];
    crypto010MethodKeyReceiverPublicKey = exports1['hq:vault/crypto@0.1.0#[method]key-receiver.public-key'];
    crypto010MethodKeyReceiverAccept = exports1['hq:vault/crypto@0.1.0#[method]key-receiver.accept'];
    crypto010DefaultParams = exports1['hq:vault/crypto@0.1.0#default-params'];
    crypto010ChallengeMessage = exports1['hq:vault/crypto@0.1.0#challenge-message'];
    crypto010VerifySignature = exports1['hq:vault/crypto@0.1.0#verify-signature'];
    crypto010Argon2id = exports1['hq:vault/crypto@0.1.0#argon2id'];
    crypto010XchachaSeal = exports1['hq:vault/crypto@0.1.0#xchacha-seal'];
    crypto010Sha256Hex = exports1['hq:vault/crypto@0.1.0#sha256-hex'];
    audit010Genesis = exports1['hq:vault/audit@0.1.0#genesis'];
    audit010Encode = exports1['hq:vault/audit@0.1.0#encode'];
    audit010Chain = exports1['hq:vault/audit@0.1.0#chain'];
    audit010Verify = exports1['hq:vault/audit@0.1.0#verify'];
    gate010CredentialReference = exports1['hq:vault/gate@0.1.0#credential-reference'];
    gate010Decide = exports1['hq:vault/gate@0.1.0#decide'];
    gate010NotFound = exports1['hq:vault/gate@0.1.0#not-found'];
    gate010EncodeCursor = exports1['hq:vault/gate@0.1.0#encode-cursor'];
    gate010ErrorBody = exports1['hq:vault/gate@0.1.0#error-body'];
  })();
  let promise, resolve, reject;
  function normalizeInstantiationError(e) {
    // Native JSPI rejects a suspending import called from a
    // core start function before entering its JS wrapper.
    // At component instantiation time that always means the
    // implicit synchronous task attempted to block.
    if (typeof WebAssembly.SuspendError === 'function' && e instanceof WebAssembly.SuspendError) {
      return new WebAssembly.RuntimeError('cannot block a synchronous task before returning');
    }
    return e;
  }
  function runNext(value) {
    try {
      let done;
      do {
        ({ value, done } = gen.next(value));
      } while (!(value instanceof Promise) && !done);
      if (done) {
        if (resolve) resolve(value);
        else return value;
      }
      if (!promise) promise = new Promise((_resolve, _reject) => (resolve = _resolve, reject= _reject));
      value.then(runNext, e => reject(normalizeInstantiationError(e)));
    }
    catch (e) {
      e = normalizeInstantiationError(e);
      if (reject) reject(e);
      else throw e;
    }
  }
  const maybeSyncReturn = runNext(null);
  return promise || maybeSyncReturn;
})();

await $init;
const audit010 = {
  chain: chain,
  encode: encode,
  genesis: genesis,
  verify: verify,
  
};
const crypto010 = {
  KeyReceiver: KeyReceiver,
  MasterKey: MasterKey,
  argon2id: argon2id,
  challengeMessage: challengeMessage,
  defaultParams: defaultParams,
  sha256Hex: sha256Hex,
  verifySignature: verifySignature,
  xchachaSeal: xchachaSeal,
  
};
const gate010 = {
  credentialReference: credentialReference,
  decide: decide,
  encodeCursor: encodeCursor,
  errorBody: errorBody,
  notFound: notFound,
  
};
const patterns010 = {
  allows: allows,
  checkKey: checkKey,
  checkPath: checkPath,
  normalize: normalize,
  normalizeAll: normalizeAll,
  planListing: planListing,
  
};
const tokens010 = {
  evaluate: evaluate,
  mint: mint,
  parse: parse,
  parseDuration: parseDuration,
  reference: reference,
  referencesEqual: referencesEqual,
  tokenLength: tokenLength,
  
};

export { audit010 as audit, crypto010 as crypto, gate010 as gate, patterns010 as patterns, tokens010 as tokens, audit010 as 'hq:vault/audit@0.1.0', crypto010 as 'hq:vault/crypto@0.1.0', gate010 as 'hq:vault/gate@0.1.0', patterns010 as 'hq:vault/patterns@0.1.0', tokens010 as 'hq:vault/tokens@0.1.0',  }
export const _util = {
  
}

