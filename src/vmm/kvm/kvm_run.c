/* KVM_RUN and its exits. Each exit becomes a struct vcpu_exit for the
 * shared exit loop; port I/O data stays in the kvm_run page (the loop
 * fills IN data there and the next KVM_RUN completes the instruction),
 * MMIO read data comes back through the same vcpu_exit on the next call.
 *
 * Kicks: `immediate_exit` plus a signal whose handler does nothing. The
 * flag covers a kick that lands before KVM_RUN is entered, the signal one
 * that lands inside it (KVM_RUN returns EINTR either way). */
#include "vmm/kvm/kvm_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

static int kick_signal(void)
{
	return SIGRTMIN;
}

static void kick_handler(int sig)
{
	(void)sig;  /* only there to make KVM_RUN return EINTR */
}

bool kvm_kick_signal_init(GError **err)
{
	static gsize done;
	static int result;
	if (g_once_init_enter(&done)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = kick_handler;
		/* A kick that lands while the vCPU thread is outside KVM_RUN
		 * (dispatching an exit: disk, chardev, socket I/O) must not fail
		 * that syscall with EINTR. KVM_RUN itself is not restarted:
		 * it returns -EINTR, never -ERESTARTSYS. */
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		result = sigaction(kick_signal(), &sa, NULL) < 0 ? errno : 0;
		g_once_init_leave(&done, 1);
	}
	if (result) {
		kvm_set_errno_error(err, result, "installing the vCPU kick signal handler");
		return false;
	}
	return true;
}

static enum vcpu_exit_reason exit_error(struct vcpu_exit *ex, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static enum vcpu_exit_reason exit_error(struct vcpu_exit *ex, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ex->error, sizeof(ex->error), fmt, ap);
	va_end(ap);
	ex->reason = VCPU_EXIT_ERROR;
	return VCPU_EXIT_ERROR;
}

enum vcpu_exit_reason kvm_translate_exit(struct kvm_run *run, size_t run_size, struct vcpu_exit *ex,
					 bool *mmio_read_pending)
{
	enum vcpu_exit_reason r;
	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		uint64_t bytes = (uint64_t)run->io.size * run->io.count;
		if ((run->io.size != 1 && run->io.size != 2 && run->io.size != 4) || run->io.count == 0 ||
		    run->io.data_offset > run_size || bytes > run_size - run->io.data_offset)
			return exit_error(ex, "KVM_EXIT_IO with a bad layout (port %#x, size %u, count %u, offset %llu)",
					  run->io.port, run->io.size, run->io.count,
					  (unsigned long long)run->io.data_offset);
		ex->io.port = run->io.port;
		ex->io.size = run->io.size;
		ex->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		ex->io.count = run->io.count;
		ex->io.data = (uint8_t *)run + run->io.data_offset;
		r = VCPU_EXIT_IO;
		break;
	}
	case KVM_EXIT_MMIO:
		if (run->mmio.len == 0 || run->mmio.len > sizeof(run->mmio.data))
			return exit_error(ex, "KVM_EXIT_MMIO with length %u at %#llx", run->mmio.len,
					  (unsigned long long)run->mmio.phys_addr);
		ex->mmio.addr = run->mmio.phys_addr;
		ex->mmio.len = (uint8_t)run->mmio.len;
		ex->mmio.is_write = run->mmio.is_write;
		memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
		if (run->mmio.is_write)
			memcpy(ex->mmio.data, run->mmio.data, run->mmio.len);
		else
			*mmio_read_pending = true;
		r = VCPU_EXIT_MMIO;
		break;
	case KVM_EXIT_HLT:
		r = VCPU_EXIT_HLT;  /* only without the in-kernel LAPIC */
		break;
	case KVM_EXIT_SHUTDOWN:
		r = VCPU_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_INTR:
		r = VCPU_EXIT_SLICE;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			r = VCPU_EXIT_SHUTDOWN;  /* the loop resets, or stops with --no-reboot */
			break;
		}
		return exit_error(ex, "KVM_EXIT_SYSTEM_EVENT type %u", run->system_event.type);
	case KVM_EXIT_FAIL_ENTRY:
		return exit_error(ex, "VM entry failed: hardware reason %#llx (invalid guest state?)",
				  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		/* ndata counts the u64s after it: flags, then insn_size and the
		 * 15 bytes (2 more). Older kernels leave flags stale (ndata 0). */
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && run->emulation_failure.ndata >= 3 &&
		    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
			char bytes[3 * sizeof(run->emulation_failure.insn_bytes) + 1] = "";
			unsigned n = MIN(run->emulation_failure.insn_size, sizeof(run->emulation_failure.insn_bytes));
			for (unsigned i = 0; i < n; i++)
				snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, " %02x", run->emulation_failure.insn_bytes[i]);
			return exit_error(ex, "KVM internal error: KVM could not emulate an instruction (bytes:%s)",
					  bytes);
		}
		return exit_error(ex, "KVM internal error, suberror %u%s", run->internal.suberror,
				  run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
					  ? " (KVM could not emulate an instruction)"
					  : "");
	default:
		return exit_error(ex, "unexpected KVM exit reason %u", run->exit_reason);
	}
	ex->reason = r;
	return r;
}

enum vcpu_exit_reason kvm_vcpu_run(struct engine_vcpu *v, struct vcpu_exit *ex)
{
	struct kvm_run *run = v->run;
	if (v->mmio_read_pending) {
		/* The loop answered the read in ex->mmio.data: KVM_RUN completes it. */
		memcpy(run->mmio.data, ex->mmio.data, sizeof(run->mmio.data));
		v->mmio_read_pending = false;
	}
	/* Signals go to this thread only while it may be inside KVM_RUN: a
	 * kicker holds the machine lock, which this thread takes only after
	 * clearing thread_known, so no kick ever signals a finished thread. */
	v->thread = pthread_self();
	g_atomic_int_set(&v->thread_known, 1);
	int r = ioctl(v->fd, KVM_RUN, 0);
	int e = errno;
	g_atomic_int_set(&v->thread_known, 0);
	/* A kick seen (EINTR) or raced with this exit: either way the loop
	 * looks at the machine's state before running again. */
	__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	memset(ex, 0, sizeof(*ex));
	if (r < 0) {
		if (e == EINTR || e == EAGAIN) {
			ex->reason = VCPU_EXIT_SLICE;
			return VCPU_EXIT_SLICE;
		}
		return exit_error(ex, "KVM_RUN failed on vCPU %u: %s", v->index, g_strerror(e));
	}
	enum vcpu_exit_reason reason = kvm_translate_exit(run, (size_t)v->vm->run_size, ex, &v->mmio_read_pending);
	if (reason == VCPU_EXIT_ERROR) {
		/* Where the guest was: the first thing anyone asks. */
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0 && ioctl(v->fd, KVM_GET_SREGS, &sregs) == 0) {
			size_t len = strlen(ex->error);
			snprintf(ex->error + len, sizeof(ex->error) - len, " at rip %#llx (cs %#x, cr0 %#llx, efer %#llx)",
				 (unsigned long long)regs.rip, sregs.cs.selector, (unsigned long long)sregs.cr0,
				 (unsigned long long)sregs.efer);
		}
	}
	return reason;
}

void kvm_vcpu_kick(struct engine_vcpu *v)
{
	if (!v)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (g_atomic_int_get(&v->thread_known))
		pthread_kill(v->thread, kick_signal());
}
