/* The kvm engine: engine_ops over kvm_vm.c / kvm_vcpu.c / kvm_run.c; its
 * availability is the shared probe (kvm_probe.c).
 * One host thread per vCPU (engine_ops.threaded): the in-kernel LAPIC
 * handles HLT, INIT and SIPI, so a vCPU thread only leaves KVM_RUN for
 * device I/O or a kick. */
#include "vmm/engine.h"
#include "vmm/kvm/kvm.h"
#include "vmm/kvm/kvm_priv.h"
#include "vmm/machine.h"


static bool kvm_available(GError **err)
{
	return kvm_probe(err);
}

static bool kvm_engine_vm_init(struct machine *m, GError **err)
{
	struct kvm_vm *vm = kvm_vm_create(m, err);
	m->engine_vm = vm;
	return vm != NULL;
}

static void kvm_engine_vm_destroy(struct machine *m)
{
	kvm_vm_destroy(m->engine_vm);
	m->engine_vm = NULL;
}

static struct engine_vcpu *kvm_engine_vcpu_create(struct machine *m, unsigned index, GError **err)
{
	return kvm_vcpu_create(m->engine_vm, index, err);
}

static enum vcpu_exit_reason kvm_engine_run(struct engine_vcpu *v, uint64_t budget, struct vcpu_exit *ex)
{
	(void)budget;  /* KVM runs until an exit or a kick */
	return kvm_vcpu_run(v, ex);
}

static uint64_t kvm_engine_instructions(struct engine_vcpu *v)
{
	(void)v;
	return 0;
}

const struct engine_ops engine_kvm = {
	.name = "kvm",
	.threaded = true,
	.available = kvm_available,
	.vm_init = kvm_engine_vm_init,
	.vm_destroy = kvm_engine_vm_destroy,
	.vcpu_create = kvm_engine_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.set_state = kvm_vcpu_set_state,
	.get_state = kvm_vcpu_get_state,
	.run = kvm_engine_run,
	.kick = kvm_vcpu_kick,
	.instructions = kvm_engine_instructions,
	/* irq_notify, init_signal, sipi, run_state: the in-kernel LAPIC's job. */
};
