// Windows of a read-only file mapping that a truncation of the file cannot kill.
//
// A mapped file that another process truncates while we read it (logrotate's copytruncate, a
// capture restarted over its log) raises SIGBUS at the next page we touch past its new end,
// and no check before the access rules that out (fstat, then touch, is a race). TapCodec's
// LineReader maps a regular file window by window anyway (it saves the kernel's copy of every
// byte into a read buffer: ~6-7 ms of ~100 on a 200 MB scan, bench/README.md "codec-scan.sh,
// session 5"), so: each window is registered here, and a SIGBUS at an address inside a
// registered window maps anonymous zero pages over the rest of that window (MAP_FIXED) and sets
// the window's `truncated` flag; the faulting load then reads zeros (never part of a valid
// line: a NUL is a control byte), and the reader, which checks the flag after validating each
// line and before handing it out, ends its input there, as a read(2) loop ends at the new end
// of file. A SIGBUS anywhere else goes to the handler that was there before (or the default
// action), so other code's faults still crash or are handled as before.
//
// The registry is lock-free (a state word per slot, compare-and-swap to claim one), since the
// handler may run on any thread at any time. Header-only, like the rest of CTapSIMD: every
// Swift file that calls these gets its own copy of the registry, so one file (LineReader.swift)
// makes all the calls.
#ifndef CTAPSIMD_MAPPED_WINDOW_H
#define CTAPSIMD_MAPPED_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#if defined(__linux__) && (defined(__clang__) || defined(__GNUC__))
#define TAP_HAVE_MAPPED_WINDOWS 1
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TAP_MAP_SLOTS 64

typedef struct {
    int state;       // 0 free, 1 being filled, 2 registered (atomic)
    int truncated;   // set by the handler (atomic)
    uintptr_t start;  // page-aligned
    uintptr_t end;    // page-aligned
} tap_map_slot;

typedef struct {
    tap_map_slot slots[TAP_MAP_SLOTS];
    struct sigaction previous;  // the handler before ours
    int installed;              // 0 no, 1 installing, 2 yes, 3 failed (atomic)
    uintptr_t page_size;
} tap_map_registry;

/// The registry, a function's static (the Swift importer emits no header-level static data).
static inline tap_map_registry *tap_map_registry_get(void) {
    static tap_map_registry registry;
    return &registry;
}

static inline void tap_map_on_sigbus(int sig, siginfo_t *info, void *context) {
    tap_map_registry *r = tap_map_registry_get();
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (int i = 0; i < TAP_MAP_SLOTS; i++) {
        tap_map_slot *slot = &r->slots[i];
        if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != 2) continue;
        if (addr < slot->start || addr >= slot->end) continue;
        uintptr_t page = addr & ~(r->page_size - 1);
        void *zeros = mmap((void *)page, slot->end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zeros == MAP_FAILED) break;  // cannot recover: the previous or default action
        __atomic_store_n(&slot->truncated, 1, __ATOMIC_RELEASE);
        return;  // the faulting load runs again and reads zeros
    }
    if (r->previous.sa_flags & SA_SIGINFO) {
        if (r->previous.sa_sigaction) {
            r->previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (r->previous.sa_handler != SIG_DFL && r->previous.sa_handler != SIG_IGN) {
        r->previous.sa_handler(sig);
        return;
    }
    // The default action: a fault that is not ours kills the process as it would have.
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

/// Installs the SIGBUS handler once per process (the previous handler is kept, to chain to).
/// 1 when it is installed, 0 when it could not be (the caller reads with read(2) then).
static inline int tap_map_install(void) {
    tap_map_registry *r = tap_map_registry_get();
    int expected = 0;
    if (__atomic_compare_exchange_n(&r->installed, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        r->page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = tap_map_on_sigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        int ok = sigaction(SIGBUS, &action, &r->previous) == 0;
        __atomic_store_n(&r->installed, ok ? 2 : 3, __ATOMIC_RELEASE);
        return ok;
    }
    while ((expected = __atomic_load_n(&r->installed, __ATOMIC_ACQUIRE)) == 1) {}
    return expected == 2;
}

/// Registers the window `[start, start + length)` (start page-aligned): its slot, or -1 when
/// every slot is taken (the caller reads with read(2) then).
static inline int tap_map_register(const void *start, size_t length) {
    tap_map_registry *r = tap_map_registry_get();
    uintptr_t pages = r->page_size - 1;
    for (int i = 0; i < TAP_MAP_SLOTS; i++) {
        int expected = 0;
        if (!__atomic_compare_exchange_n(&r->slots[i].state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            continue;
        r->slots[i].start = (uintptr_t)start;
        r->slots[i].end = ((uintptr_t)start + length + pages) & ~pages;
        __atomic_store_n(&r->slots[i].truncated, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&r->slots[i].state, 2, __ATOMIC_RELEASE);
        return i;
    }
    return -1;
}

/// 1 once a SIGBUS inside the window of `slot` replaced its rest with zeros (the file was cut).
static inline int tap_map_truncated(int slot) {
    return __atomic_load_n(&tap_map_registry_get()->slots[slot].truncated, __ATOMIC_ACQUIRE);
}

/// Frees `slot`; call before unmapping its window (a fault there is no longer ours).
static inline void tap_map_unregister(int slot) {
    __atomic_store_n(&tap_map_registry_get()->slots[slot].state, 0, __ATOMIC_RELEASE);
}

#else
static inline int tap_map_install(void) { return 0; }
static inline int tap_map_register(const void *start, size_t length) { (void)start; (void)length; return -1; }
static inline int tap_map_truncated(int slot) { (void)slot; return 0; }
static inline void tap_map_unregister(int slot) { (void)slot; }
#endif

#endif
