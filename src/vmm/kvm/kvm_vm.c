/* The VM: /dev/kvm and the VM fd, in the order the spec's §4 gives
 * (identity map and TSS before any vCPU, irqchip before PIT2, both before
 * any vCPU), RAM slots around the PCI hole, the GSI routes that match the
 * MADT, and the irq router's set/msi callbacks going to KVM_IRQ_LINE and
 * KVM_SIGNAL_MSI. */
#include "vmm/kvm/kvm_priv.h"
#include "vmm/kvm/kvm.h"
#include "vmm/layout.h"
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

void kvm_set_errno_error(GError **err, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	const char *hint = "";
	if (e == ENOMEM)
		hint = " (the host is short of memory, or the memlock limit is too low)";
	else if (e == EEXIST)
		hint = " (already exists: overlapping memory slots or a second irqchip)";
	else if (e == EINVAL)
		hint = " (KVM rejected the arguments; see dmesg)";
	g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e), "KVM: %s failed: %s%s", what, g_strerror(e), hint);
}

unsigned kvm_plan_memslots(const struct guest_mem *gm, struct kvm_userspace_memory_region out[2])
{
	unsigned n = 0;
	if (gm->low_end) {
		out[n] = (struct kvm_userspace_memory_region){
			.slot = n, .guest_phys_addr = 0, .memory_size = gm->low_end,
			.userspace_addr = (uint64_t)(uintptr_t)gm->base,
		};
		n++;
	}
	if (gm->high_end > LAYOUT_4G) {
		out[n] = (struct kvm_userspace_memory_region){
			.slot = n, .guest_phys_addr = LAYOUT_4G, .memory_size = gm->high_end - LAYOUT_4G,
			.userspace_addr = (uint64_t)(uintptr_t)(gm->base + LAYOUT_4G),
		};
		n++;
	}
	return n;
}

static void route(struct kvm_irq_routing_entry *e, unsigned gsi, unsigned chip, unsigned pin)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

unsigned kvm_plan_gsi_routes(struct kvm_irq_routing_entry out[KVM_PLAN_MAX_ROUTES])
{
	unsigned n = 0;
	for (unsigned gsi = 0; gsi < 16; gsi++) {
		if (gsi == 2)
			continue;  /* the cascade: not an input anyone raises */
		route(&out[n++], gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi & 7);
		route(&out[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi);
	}
	for (unsigned gsi = 16; gsi < IRQ_NR_LINES; gsi++)
		route(&out[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi);
	return n;
}

/* irq router callbacks: the machine lock is held, the VM fd is shared by
 * every thread, and KVM serializes injection itself. */
static void kvm_irq_set(void *opaque, unsigned line, bool level)
{
	struct kvm_vm *vm = opaque;
	struct kvm_irq_level il = { .irq = line, .level = level };
	if (kvm_ioctl(vm->vm_fd, KVM_IRQ_LINE, &il) < 0)
		fprintf(stderr, "tandem: KVM_IRQ_LINE %u level %d failed: %s\n", line, level, g_strerror(errno));
}

static void kvm_msi_send(void *opaque, uint64_t addr, uint32_t data)
{
	struct kvm_vm *vm = opaque;
	struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data };
	/* 0: the guest blocked it (masked in the LAPIC); > 0 delivered. */
	if (kvm_ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		fprintf(stderr, "tandem: KVM_SIGNAL_MSI %#" G_GINT64_MODIFIER "x/%#x failed: %s\n", addr, data,
			g_strerror(errno));
}

static bool vm_check_caps(struct kvm_vm *vm, unsigned ncpus, GError **err)
{
	/* The required extensions were checked by kvm_probe_open(). */
	/* KVM_SET_XSAVE reads the guest's whole XSAVE image (KVM_CAP_XSAVE2
	 * says how big when it exceeds the struct's 4 KiB). */
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) {
		int size2 = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
		vm->xsave_size = MAX(sizeof(struct kvm_xsave), size2 > 0 ? (size_t)size2 : 0);
	}
	int max = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 4;  /* the documented default when neither cap exists */
	if (ncpus > (unsigned)max) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "KVM on this host runs at most %d vCPUs per VM; --cpus %u asks for more", max, ncpus);
		return false;
	}
	return true;
}

static bool vm_get_supported(struct kvm_vm *vm, GError **err)
{
	/* E2BIG means "more entries than nent": grow and ask again. */
	bool got = false;
	for (uint32_t nent = 128; nent <= 4096 && !got; nent *= 2) {
		g_free(vm->supported);
		vm->supported = g_malloc0(sizeof(*vm->supported) + nent * sizeof(vm->supported->entries[0]));
		vm->supported->nent = nent;
		got = kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, vm->supported) == 0;
		if (!got && errno != E2BIG) {
			kvm_set_errno_error(err, errno, "KVM_GET_SUPPORTED_CPUID");
			return false;
		}
	}
	if (!got) {
		kvm_set_errno_error(err, E2BIG, "KVM_GET_SUPPORTED_CPUID (more than 4096 entries)");
		return false;
	}
	struct kvm_msr_list probe = { .nmsrs = 0 };
	/* The first call fails with E2BIG and says how many there are. */
	if (kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
		kvm_set_errno_error(err, errno, "KVM_GET_MSR_INDEX_LIST");
		return false;
	}
	struct kvm_msr_list *l = g_malloc0(sizeof(*l) + probe.nmsrs * sizeof(uint32_t));
	l->nmsrs = probe.nmsrs;
	if (kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		int e = errno;
		g_free(l);
		kvm_set_errno_error(err, e, "KVM_GET_MSR_INDEX_LIST (%u entries)", probe.nmsrs);
		return false;
	}
	vm->nmsr_index = l->nmsrs;
	vm->msr_index = g_new(uint32_t, l->nmsrs + 1);
	memcpy(vm->msr_index, l->indices, l->nmsrs * sizeof(uint32_t));
	g_free(l);
	return true;
}

static bool vm_setup(struct kvm_vm *vm, struct machine *m, GError **err)
{
	vm->vm_fd = kvm_ioctl(vm->sys_fd, KVM_CREATE_VM, (void *)0);
	if (vm->vm_fd < 0) {
		kvm_set_errno_error(err, errno, "KVM_CREATE_VM");
		return false;
	}
	fcntl(vm->vm_fd, F_SETFD, FD_CLOEXEC);
	/* Intel: real-mode and unpaged guests need these pages, inside the
	 * PCI hole where no RAM slot or device lives (layout.h). */
	uint64_t ident = LAYOUT_KVM_IDENTITY_MAP;
	if (kvm_ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_IDENTITY_MAP_ADDR %#llx", (unsigned long long)ident);
		return false;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS) < 0) {
		kvm_set_errno_error(err, errno, "KVM_SET_TSS_ADDR %#llx", (unsigned long long)LAYOUT_KVM_TSS);
		return false;
	}
	struct kvm_userspace_memory_region slots[2];
	unsigned nslots = kvm_plan_memslots(&m->mem, slots);
	for (unsigned i = 0; i < nslots; i++)
		if (kvm_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slots[i]) < 0) {
			kvm_set_errno_error(err, errno, "KVM_SET_USER_MEMORY_REGION slot %u [%#llx, +%llu MiB)",
					    slots[i].slot, (unsigned long long)slots[i].guest_phys_addr,
					    (unsigned long long)(slots[i].memory_size >> 20));
			return false;
		}
	if (kvm_ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, NULL) < 0) {
		kvm_set_errno_error(err, errno, "KVM_CREATE_IRQCHIP");
		return false;
	}
	/* SPEAKER_DUMMY: port 0x61 (PIT gate 2 and OUT2) is the kernel's too. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (kvm_ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		kvm_set_errno_error(err, errno, "KVM_CREATE_PIT2");
		return false;
	}
	struct kvm_irq_routing *rt = g_malloc0(sizeof(*rt) + KVM_PLAN_MAX_ROUTES * sizeof(rt->entries[0]));
	rt->nr = kvm_plan_gsi_routes(rt->entries);
	int r = kvm_ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, rt);
	int e = errno;
	g_free(rt);
	if (r < 0) {
		kvm_set_errno_error(err, e, "KVM_SET_GSI_ROUTING");
		return false;
	}
	return true;
}

struct kvm_vm *kvm_vm_create(struct machine *m, GError **err)
{
	if (m->clock.mode != VCLOCK_REALTIME) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "the deterministic guest clock needs the emulator (--accel emu); KVM runs in real time");
		return NULL;
	}
	if (!kvm_kick_signal_init(err))
		return NULL;
	struct kvm_vm *vm = g_new0(struct kvm_vm, 1);
	vm->m = m;
	vm->vm_fd = -1;
	vm->sys_fd = kvm_probe_open(err);
	if (vm->sys_fd < 0)
		goto fail;
	if (!vm_check_caps(vm, m->ncpus, err))
		goto fail;
	/* PVM (nested KVM without VMX) runs only PVM-enabled guest kernels
	 * natively; any other kernel goes through KVM's instruction emulator,
	 * which lacks instructions Linux uses (cmpxchg16b, xrstor, int3). */
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		fprintf(stderr, "tandem: warning: this host's KVM is PVM (kvm_pvm): a kernel that is not a PVM guest "
				"runs through KVM's instruction emulator, slowly, and may stop at an instruction it "
				"cannot emulate; --accel emu boots any kernel\n");
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		kvm_set_errno_error(err, vm->run_size < 0 ? errno : EINVAL, "KVM_GET_VCPU_MMAP_SIZE (%d)", vm->run_size);
		goto fail;
	}
	if (!vm_get_supported(vm, err) || !vm_setup(vm, m, err))
		goto fail;
	/* From now on device interrupts go to the kernel's irqchip. */
	irq_router_init(&m->irq, kvm_irq_set, vm);
	irq_router_set_msi(&m->irq, kvm_msi_send, vm);  /* KVM_CAP_SIGNAL_MSI is required */
	return vm;
fail:
	kvm_vm_destroy(vm);
	return NULL;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (!vm)
		return;
	if (vm->m && vm->m->irq.opaque == vm)
		irq_router_init(&vm->m->irq, NULL, NULL);  /* nothing may reach a closed VM fd */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	g_free(vm->supported);
	g_free(vm->msr_index);
	g_free(vm);
}
