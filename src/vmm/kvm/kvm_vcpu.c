/* A vCPU: its fd and mmap'd kvm_run, CPUID (set before any MSR, since KVM
 * checks MSRs against it), the LAPIC's LINT0/LINT1 wiring, and the
 * engine-neutral register state in and out (regs, sregs, fpu, MSRs). */
#include "vmm/kvm/kvm_priv.h"
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static bool vcpu_setup(struct engine_vcpu *v, unsigned ncpus, GError **err)
{
	g_autofree struct kvm_cpuid2 *c = kvm_plan_cpuid(v->vm->supported, v->index, ncpus);
	if (kvm_ioctl(v->fd, KVM_SET_CPUID2, c) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_CPUID2 (vCPU %u, %u entries)", v->index, c->nent);
		return false;
	}
	struct kvm_lapic_state lapic;
	if (kvm_ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_LAPIC (vCPU %u)", v->index);
		return false;
	}
	kvm_plan_lapic(&lapic, v->index);
	if (kvm_ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_LAPIC (vCPU %u)", v->index);
		return false;
	}
	return true;
}

struct engine_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned index, GError **err)
{
	struct engine_vcpu *v = g_new0(struct engine_vcpu, 1);
	v->vm = vm;
	v->index = index;
	v->run = MAP_FAILED;
	/* The vCPU id is its APIC id, as the MADT and MP table list them. */
	v->fd = kvm_ioctl(vm->vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)index);
	if (v->fd < 0) {
		kvm_set_errno_error(err, errno, "KVM_CREATE_VCPU %u", index);
		goto fail;
	}
	fcntl(v->fd, F_SETFD, FD_CLOEXEC);
	v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		kvm_set_errno_error(err, errno, "mmap of vCPU %u's kvm_run (%d bytes)", index, vm->run_size);
		goto fail;
	}
	if (!vcpu_setup(v, vm->m->ncpus, err))
		goto fail;
	return v;
fail:
	kvm_vcpu_destroy(v);
	return NULL;
}

void kvm_vcpu_destroy(struct engine_vcpu *v)
{
	if (!v)
		return;
	if (v->run != MAP_FAILED)
		munmap(v->run, (size_t)v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	g_free(v);
}

/* The vCPU's XSAVE image (kvm_priv.h: where MXCSR lives), or NULL. */
static struct kvm_xsave *vcpu_get_xsave(struct engine_vcpu *v, GError **err)
{
	struct kvm_xsave *x = g_malloc0(v->vm->xsave_size);
	if (kvm_ioctl(v->fd, KVM_GET_XSAVE, x) < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_XSAVE (vCPU %u)", v->index);
		g_free(x);
		return NULL;
	}
	return x;
}

/* MXCSR, which KVM_SET_FPU ignores: read the XSAVE image, change MXCSR,
 * write it back; before KVM_SET_FPU, which then fills in the x87/SSE
 * registers. Without KVM_CAP_XSAVE the vCPU keeps KVM's reset value. */
static bool vcpu_set_mxcsr(struct engine_vcpu *v, uint32_t mxcsr, GError **err)
{
	if (!v->vm->xsave_size)
		return true;
	g_autofree struct kvm_xsave *x = vcpu_get_xsave(v, err);
	if (!x)
		return false;
	kvm_plan_xsave_mxcsr(x, mxcsr);
	if (kvm_ioctl(v->fd, KVM_SET_XSAVE, x) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_XSAVE (vCPU %u, MXCSR %#x)", v->index, mxcsr);
		return false;
	}
	return true;
}

bool kvm_vcpu_set_state(struct engine_vcpu *v, const struct cpu_state *st, GError **err)
{
	struct kvm_sregs sregs;
	kvm_plan_sregs(&st->sregs, v->index, &sregs);
	if (!kvm_sregs_check(&sregs, err))
		return false;
	if (kvm_ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_SREGS (vCPU %u)", v->index);
		return false;
	}
	struct kvm_regs regs = st->regs;
	if (kvm_ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_REGS (vCPU %u)", v->index);
		return false;
	}
	if (!vcpu_set_mxcsr(v, st->fpu.mxcsr, err))
		return false;
	struct kvm_fpu fpu = st->fpu;
	if (kvm_ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_FPU (vCPU %u)", v->index);
		return false;
	}
	g_autoptr(GString) skipped = g_string_new(NULL);
	g_autofree struct kvm_msrs *msrs = kvm_plan_msrs(st, v->vm->msr_index, v->vm->nmsr_index, skipped);
	if (skipped->len)
		g_debug("vCPU %u: MSRs KVM does not keep, not set: %s", v->index, skipped->str);
	/* KVM_SET_MSRS returns how many it set, stopping at the first refusal. */
	int n = kvm_ioctl(v->fd, KVM_SET_MSRS, msrs);
	if (n < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_MSRS (vCPU %u)", v->index);
		return false;
	}
	if ((unsigned)n < msrs->nmsrs) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "KVM: KVM_SET_MSRS (vCPU %u) refused MSR %#x = %#llx", v->index, msrs->entries[n].index,
			    (unsigned long long)msrs->entries[n].data);
		return false;
	}
	return true;
}

bool kvm_vcpu_get_state(struct engine_vcpu *v, struct cpu_state *st, GError **err)
{
	memset(st, 0, sizeof(*st));
	if (kvm_ioctl(v->fd, KVM_GET_REGS, &st->regs) < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_REGS (vCPU %u)", v->index);
		return false;
	}
	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &st->sregs) < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_SREGS (vCPU %u)", v->index);
		return false;
	}
	if (kvm_ioctl(v->fd, KVM_GET_FPU, &st->fpu) < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_FPU (vCPU %u)", v->index);
		return false;
	}
	if (v->vm->xsave_size) {
		g_autofree struct kvm_xsave *x = vcpu_get_xsave(v, err);
		if (!x)
			return false;
		st->fpu.mxcsr = x->region[KVM_XSAVE_MXCSR_WORD];  /* KVM_GET_FPU leaves it 0 */
	}
	struct cpu_state want = { .nmsrs = 0 };
	for (unsigned i = 0; i < kvm_state_nmsrs; i++)
		cpu_state_set_msr(&want, kvm_state_msrs[i], 0);
	g_autofree struct kvm_msrs *msrs = kvm_plan_msrs(&want, v->vm->msr_index, v->vm->nmsr_index, NULL);
	int n = kvm_ioctl(v->fd, KVM_GET_MSRS, msrs);
	if (n < 0) {
		kvm_set_errno_error(err, errno, "KVM_GET_MSRS (vCPU %u)", v->index);
		return false;
	}
	for (int i = 0; i < n && i < (int)msrs->nmsrs; i++)
		cpu_state_set_msr(st, msrs->entries[i].index, msrs->entries[i].data);
	return true;
}
