// perf.data constants: record types, sample_type bits, attr flag bits and header feature ids.
// Upstream: include/uapi/linux/perf_event.h (perf_event_type, perf_event_sample_format),
// tools/lib/perf/include/perf/event.h (perf_user_event_type), tools/perf/util/header.h
// (HEADER_* feature ids); trace-formats.md §5.3, §5.4, §5.9.

/** `PERFILE2` read as a little-endian u64. */
export const MAGIC_LE = 0x32454c4946524550n;
/** `PERFILE2` written by a big-endian machine, read as a little-endian u64. */
export const MAGIC_BE = 0x50455246494c4532n;

export const REC = {
  MMAP: 1,
  LOST: 2,
  COMM: 3,
  EXIT: 4,
  THROTTLE: 5,
  UNTHROTTLE: 6,
  FORK: 7,
  READ: 8,
  SAMPLE: 9,
  MMAP2: 10,
  LOST_SAMPLES: 13,
  HEADER_ATTR: 64,
  HEADER_EVENT_TYPE: 65,
  HEADER_TRACING_DATA: 66,
  HEADER_BUILD_ID: 67,
  FINISHED_ROUND: 68,
  ID_INDEX: 69,
  AUXTRACE_INFO: 70,
  AUXTRACE: 71,
  TIME_CONV: 79,
  HEADER_FEATURE: 80,
  COMPRESSED: 81,
  FINISHED_INIT: 82,
  COMPRESSED2: 83,
} as const;

export const SAMPLE = {
  IP: 1 << 0,
  TID: 1 << 1,
  TIME: 1 << 2,
  ADDR: 1 << 3,
  READ: 1 << 4,
  CALLCHAIN: 1 << 5,
  ID: 1 << 6,
  CPU: 1 << 7,
  PERIOD: 1 << 8,
  STREAM_ID: 1 << 9,
  RAW: 1 << 10,
  BRANCH_STACK: 1 << 11,
  REGS_USER: 1 << 12,
  STACK_USER: 1 << 13,
  WEIGHT: 1 << 14,
  DATA_SRC: 1 << 15,
  IDENTIFIER: 1 << 16,
  TRANSACTION: 1 << 17,
  REGS_INTR: 1 << 18,
  PHYS_ADDR: 1 << 19,
  AUX: 1 << 20,
  CGROUP: 1 << 21,
  DATA_PAGE_SIZE: 1 << 22,
  CODE_PAGE_SIZE: 1 << 23,
  WEIGHT_STRUCT: 1 << 24,
} as const;

/** Bits this reader can walk past; a sample_type with any other bit cannot be parsed. */
export const KNOWN_SAMPLE_BITS = (1 << 25) - 1;

export const READ_FORMAT = {
  TOTAL_TIME_ENABLED: 1,
  TOTAL_TIME_RUNNING: 2,
  ID: 4,
  GROUP: 8,
  LOST: 16,
} as const;

/** PERF_SAMPLE_BRANCH_HW_INDEX in branch_sample_type. */
export const BRANCH_HW_INDEX = 1 << 17;

export const FEAT = {
  TRACING_DATA: 1,
  BUILD_ID: 2,
  HOSTNAME: 3,
  OSRELEASE: 4,
  VERSION: 5,
  ARCH: 6,
  NRCPUS: 7,
  CPUDESC: 8,
  CPUID: 9,
  TOTAL_MEM: 10,
  CMDLINE: 11,
  EVENT_DESC: 12,
  CPU_TOPOLOGY: 13,
  NUMA_TOPOLOGY: 14,
  BRANCH_STACK: 15,
  PMU_MAPPINGS: 16,
  GROUP_DESC: 17,
  AUXTRACE: 18,
  STAT: 19,
  CACHE: 20,
  SAMPLE_TIME: 21,
  MEM_TOPOLOGY: 22,
  CLOCKID: 23,
  DIR_FORMAT: 24,
  BPF_PROG_INFO: 25,
  BPF_BTF: 26,
  COMPRESSED: 27,
  CPU_PMU_CAPS: 28,
  CLOCK_DATA: 29,
  HYBRID_TOPOLOGY: 30,
  PMU_CAPS: 31,
} as const;

export const FEATURE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(FEAT).map(([k, v]) => [v, k]));
