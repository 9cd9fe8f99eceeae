// A copy routine that survives SIGBUS: the engine's only way to touch mapped file memory.
//
// A shared file mapping raises SIGBUS when an access reaches a page the file no longer backs (it was truncated,
// possibly by another process, between any check and the access) or a page the filesystem cannot allocate (a
// write into a hole on a full disk). .NET turns a SIGBUS in managed code into an AccessViolationException that
// ends the process, so every copy to or from a mapping runs here instead: the copy is bracketed by sigsetjmp and
// a thread-local pointer to the guard, and a SIGBUS handler installed with sigaction jumps back out when the
// faulting address lies in the range the guarded copy touches. Every other SIGBUS (not ours, another thread's,
// another address) is passed to the handler that was installed before ours, normally the .NET runtime's, with
// the same arguments, so its behaviour is unchanged.
//
// Built by `dotnet build` (src/MmapActors/MmapActors.csproj runs gcc) and shipped in the package under
// runtimes/<rid>/native/.

#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct guard
{
    sigjmp_buf env;
    uintptr_t low;   // the mapped range the copy touches: [low, high)
    uintptr_t high;
    volatile uintptr_t fault; // set by the handler: the faulting address (volatile: written behind the compiler's back)
} guard;

// initial-exec TLS lives in the static TLS block (glibc keeps a surplus for dlopen'ed libraries), so the handler
// reads it with one fs-relative load: no __tls_get_addr, which may allocate and is not async-signal-safe.
static __thread guard *volatile current_guard __attribute__((tls_model("initial-exec")));

static struct sigaction previous_action;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_result = -1;

static void chain(int signal_number, siginfo_t *info, void *context)
{
    if (previous_action.sa_flags & SA_SIGINFO)
    {
        previous_action.sa_sigaction(signal_number, info, context);
        return;
    }
    if (previous_action.sa_handler == SIG_DFL || previous_action.sa_handler == SIG_IGN)
    {
        // A hardware fault cannot be ignored: restore the default action and return, so the faulting instruction
        // runs again and the process ends with SIGBUS, as it would have without this library.
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        sigaction(SIGBUS, &fallback, NULL);
        return;
    }
    previous_action.sa_handler(signal_number);
}

static void on_sigbus(int signal_number, siginfo_t *info, void *context)
{
    guard *g = current_guard;
    uintptr_t address = (uintptr_t)info->si_addr;
    if (g != NULL && address >= g->low && address < g->high)
    {
        g->fault = address;
        current_guard = NULL;
        // The kernel blocked SIGBUS for the handler's duration; siglongjmp without a saved mask would leave it
        // blocked, and a later SIGBUS while blocked kills the process. Unblock it before leaving.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGBUS);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        siglongjmp(g->env, 1);
    }
    chain(signal_number, info, context);
}

static void install(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    if (sigaction(SIGBUS, NULL, &previous_action) != 0)
    {
        return;
    }
    action.sa_sigaction = on_sigbus;
    // SA_ONSTACK as the runtime asks for its own handler (it runs faults on an alternate stack).
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | (previous_action.sa_flags & SA_RESTART);
    action.sa_mask = previous_action.sa_mask;
    install_result = sigaction(SIGBUS, &action, NULL);
}

/// Installs the SIGBUS handler once per process; returns 0 when it is in place.
EXPORT int mmg_install(void)
{
    pthread_once(&install_once, install);
    return install_result;
}

/// memmove(destination, source, count) where [low, high) is the mapped memory the copy may touch. Returns 0,
/// or -1 after a SIGBUS inside [low, high), with the faulting address in *fault; the copy then stopped part way.
EXPORT int mmg_copy(void *destination, const void *source, size_t count, uintptr_t low, uintptr_t high, uintptr_t *fault)
{
    guard g;
    g.low = low;
    g.high = high;
    g.fault = 0;
    if (sigsetjmp(g.env, 0) != 0)
    {
        *fault = g.fault;
        return -1;
    }
    current_guard = &g;
    memmove(destination, source, count);
    current_guard = NULL;
    return 0;
}

// Out of line, so its moving pointers live in its own frame, never in registers that siglongjmp restores.
static __attribute__((noinline)) void copy_strided(uint8_t *destination, ptrdiff_t destination_stride, const uint8_t *source,
                                                   ptrdiff_t source_stride, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        *destination = *source;
        destination += destination_stride;
        source += source_stride;
    }
}

/// Strided copy: count bytes, destination[i * destination_stride] = source[i * source_stride]; strides may be
/// negative. Same guard and result as mmg_copy.
EXPORT int mmg_copy_strided(uint8_t *destination, ptrdiff_t destination_stride, const uint8_t *source,
                            ptrdiff_t source_stride, size_t count, uintptr_t low, uintptr_t high, uintptr_t *fault)
{
    guard g;
    g.low = low;
    g.high = high;
    g.fault = 0;
    if (sigsetjmp(g.env, 0) != 0)
    {
        *fault = g.fault;
        return -1;
    }
    current_guard = &g;
    copy_strided(destination, destination_stride, source, source_stride, count);
    current_guard = NULL;
    return 0;
}
