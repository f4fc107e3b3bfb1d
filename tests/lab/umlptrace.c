// LD_PRELOAD shim for the lab's User-Mode-Linux kernel (Debian's linux.uml, Linux 6.1).
//
// UML 6.1 saves and restores the FPU state of its processes with
// PTRACE_GETREGSET/SETREGSET(NT_X86_XSTATE) and a buffer of its own fixed size. A host
// kernel accepts PTRACE_SETREGSET for the XSTATE regset only with the host's whole XSAVE
// size (arch/x86/kernel/fpu/regset.c: count != fpu_user_cfg.max_size -> -EFAULT), which on
// CPUs with AVX-512 and AMX is larger than UML's buffer, so the guest panics at boot with
// "ptrace set fp regs failed, errno = 14". Upstream UML later sized the buffer from the
// host's XSAVE size; this shim does the same from outside: a SETREGSET of XSTATE with a
// short buffer becomes GETREGSET into a full-size buffer, UML's bytes copied over its
// front, then SETREGSET of the full buffer. The state beyond UML's buffer is left as the
// host process holds it (what an older host without those features would do anyway).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef long (*ptrace_fn)(enum __ptrace_request, pid_t, void *, void *);

static ptrace_fn real_ptrace(void)
{
    static ptrace_fn fn;
    if (!fn) fn = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
    return fn;
}

enum { kMaxXstate = 64 * 1024 };

long ptrace(enum __ptrace_request request, ...)
{
    va_list ap;
    va_start(ap, request);
    pid_t pid = va_arg(ap, pid_t);
    void *addr = va_arg(ap, void *);
    void *data = va_arg(ap, void *);
    va_end(ap);
    ptrace_fn fn = real_ptrace();
    if (request == PTRACE_SETREGSET && (unsigned long)addr == NT_X86_XSTATE && data) {
        const struct iovec *uml = (const struct iovec *)data;
        static __thread unsigned char full[kMaxXstate] __attribute__((aligned(64)));
        struct iovec iov = {full, sizeof full};
        if (fn(PTRACE_GETREGSET, pid, (void *)(unsigned long)NT_X86_XSTATE, &iov) < 0) return -1;
        if (iov.iov_len > uml->iov_len) {
            memcpy(full, uml->iov_base, uml->iov_len);
            return fn(PTRACE_SETREGSET, pid, addr, &iov);
        }
    }
    return fn(request, pid, addr, data);
}
