/* Machine assembly: the one place that lists, in order, what a tandem PC is
 * made of, and the glue between engines and devices. */
#include "vmm/machine.h"

#include "hw/pc_devices.h"
#include "hw/virtio/virtio_devices.h"
#include "vmm/boot/boot.h"
#include "vmm/chardev.h"

#include <stdio.h>
#include <string.h>

static void machine_serial_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct machine *m = opaque;
	chardev_write(m->serial, buf, len);
}

static void host_irq_notify(void *opaque, unsigned cpu) { machine_irq_notify(opaque, cpu); }
static void host_send_init(void *opaque, unsigned cpu) { machine_send_init(opaque, cpu); }
static void host_send_sipi(void *opaque, unsigned cpu, uint8_t vector) { machine_send_sipi(opaque, cpu, vector); }
static void host_request_reset(void *opaque) { machine_request_reset(opaque); }

static void host_request_stop(void *opaque, int exit_status, bool debug_exit)
{
	machine_request_stop(opaque, debug_exit ? STOP_DEBUG_EXIT : STOP_POWEROFF, exit_status);
}

/* The PC: interrupt controllers, PIT, COM1, RTC, i8042, ACPI PM, PCI host... */
static bool machine_build_devices(struct machine *m, GError **err)
{
	struct pc_devices_params p = {
		.pio = &m->pio,
		.mmio = &m->mmio,
		.irq = &m->irq,
		.clock = &m->clock,
		.mem = &m->mem,
		.ncpus = m->ncpus,
		.serial = &m->serial_backend,
		/* kvm: KVM_CREATE_IRQCHIP/PIT2; the engine installs the irq router. */
		.kernel_irqchip = m->engine == &engine_kvm,
		.host = {
			.opaque = m,
			.irq_notify = host_irq_notify,
			.send_init = host_send_init,
			.send_sipi = host_send_sipi,
			.request_reset = host_request_reset,
			.request_stop = host_request_stop,
		},
	};
	m->pc = pc_devices_create(&p, err);
	if (!m->pc)
		return false;
	/* virtio-pci functions from slot 1 on: disks, NICs, rng, second console. */
	struct virtio_devices_params vp = {
		.cfg = m->cfg,
		.mem = &m->mem,
		.pci = pc_pci(m->pc),
		.irq = &m->irq,
		.first_slot = 1,
	};
	m->virtio = virtio_devices_create(&vp, err);
	return m->virtio != NULL;
}

/* Kernel, initrd, command line and firmware tables into RAM; BSP state. */
static bool machine_load(struct machine *m, GError **err)
{
	const struct machine_config *cfg = m->cfg;
	bool host = cfg->decompress == DECOMPRESS_HOST ||
		    (cfg->decompress == DECOMPRESS_AUTO && cfg->accel == ACCEL_EMU);
	struct boot_config bc = {
		.kernel = cfg->kernel,
		.initrd = cfg->initrd,
		.cmdline = cfg->cmdline,
		.host_decompress = host,
		.ncpus = m->ncpus,
		.acpi = cfg->acpi,
	};
	memset(&m->boot_state, 0, sizeof(m->boot_state));
	return boot_load(&m->mem, &bc, &m->boot_state, err);
}

/* Engine-side machine and vCPUs; the BSP gets the loader's state, the APs
 * wait for INIT/SIPI. */
static bool machine_start_engine(struct machine *m, GError **err)
{
	if (!m->engine->vm_init(m, err))
		return false;
	m->engine_started = true;
	for (unsigned i = 0; i < m->ncpus; i++) {
		m->vcpus[i] = m->engine->vcpu_create(m, i, err);
		if (!m->vcpus[i])
			return false;
	}
	return m->engine->set_state(m->vcpus[0], &m->boot_state, err);
}

static void machine_stop_engine(struct machine *m)
{
	for (unsigned i = 0; i < m->ncpus; i++) {
		if (m->vcpus[i])
			m->engine->vcpu_destroy(m->vcpus[i]);
		m->vcpus[i] = NULL;
	}
	if (m->engine_started)
		m->engine->vm_destroy(m);
	m->engine_started = false;
}

struct machine *machine_create(struct machine_config *cfg, struct chardev *serial, GError **err)
{
	struct machine *m = g_new0(struct machine, 1);
	m->cfg = cfg;
	m->serial = serial;
	m->serial_backend.opaque = m;
	m->serial_backend.write = machine_serial_write;
	m->ncpus = cfg->cpus;
	m->stop = STOP_NONE;
	g_mutex_init(&m->lock);
	g_cond_init(&m->wake);
	m->engine = cfg->accel == ACCEL_KVM ? &engine_kvm : &engine_emu;

	if (!m->engine->available(err))
		goto fail;
	if (!guest_mem_init(&m->mem, cfg->memory, err))
		goto fail;
	bus_init(&m->pio, "pio");
	bus_init(&m->mmio, "mmio");
	vclock_init(&m->clock, cfg->clock == GUEST_CLOCK_DETERMINISTIC ? VCLOCK_DETERMINISTIC : VCLOCK_REALTIME);
	if (!machine_build_devices(m, err))
		goto fail;
	if (!machine_load(m, err))
		goto fail;
	if (!machine_start_engine(m, err))
		goto fail;
	return m;
fail:
	machine_destroy(m);
	return NULL;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	machine_stop_engine(m);
	if (m->pc)
		pc_devices_destroy(m->pc);
	if (m->virtio)
		virtio_devices_destroy(m->virtio);  /* after the PCI host */
	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
	guest_mem_destroy(&m->mem);
	g_cond_clear(&m->wake);
	g_mutex_clear(&m->lock);
	g_free(m);
}

bool machine_reset(struct machine *m, GError **err)
{
	/* Rebuild the engine from scratch so that no decoded code or TLB entry
	 * survives the reload of the kernel behind its back. */
	machine_stop_engine(m);
	pc_devices_reset(m->pc);
	virtio_devices_reset(m->virtio);
	if (!machine_load(m, err))
		return false;
	return machine_start_engine(m, err);
}

void machine_pio(struct machine *m, unsigned cpu, uint16_t port, void *data, unsigned len, bool is_write)
{
	m->stats.pio++;
	bus_access(&m->pio, port, data, len, is_write, cpu);
}

void machine_mmio(struct machine *m, unsigned cpu, uint64_t addr, void *data, unsigned len, bool is_write)
{
	m->stats.mmio++;
	bus_access(&m->mmio, addr, data, len, is_write, cpu);
}

bool machine_irq_pending(struct machine *m, unsigned cpu) { return pc_irq_pending(m->pc, cpu); }
int machine_irq_ack(struct machine *m, unsigned cpu) { return pc_irq_ack(m->pc, cpu); }
bool machine_nmi_pending(struct machine *m, unsigned cpu) { return pc_nmi_pending(m->pc, cpu); }

bool machine_lapic_msr(struct machine *m, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	return pc_lapic_msr(m->pc, cpu, index, value, is_write);
}

void machine_irq_notify(struct machine *m, unsigned cpu)
{
	if (cpu < m->ncpus && m->vcpus[cpu] && m->engine->irq_notify)
		m->engine->irq_notify(m->vcpus[cpu]);
	m->wakeups++;
	g_cond_signal(&m->wake);
}

void machine_send_init(struct machine *m, unsigned cpu)
{
	if (cpu < m->ncpus && m->vcpus[cpu] && m->engine->init_signal)
		m->engine->init_signal(m->vcpus[cpu]);
	m->wakeups++;
	g_cond_signal(&m->wake);
}

void machine_send_sipi(struct machine *m, unsigned cpu, uint8_t vector)
{
	if (cpu < m->ncpus && m->vcpus[cpu] && m->engine->sipi)
		m->engine->sipi(m->vcpus[cpu], vector);
	m->wakeups++;
	g_cond_signal(&m->wake);
}

void machine_kick_all(struct machine *m)
{
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->vcpus[i])
			m->engine->kick(m->vcpus[i]);
	g_cond_broadcast(&m->wake);
}

void machine_request_stop(struct machine *m, enum machine_stop why, int exit_status)
{
	if (m->stop == STOP_NONE) {
		m->stop = why;
		m->exit_status = exit_status;
	}
	machine_kick_all(m);
}

void machine_request_reset(struct machine *m)
{
	if (m->cfg->no_reboot) {
		machine_request_stop(m, STOP_REBOOT, STOP_REBOOT);
		return;
	}
	m->reset_requested = true;
	machine_kick_all(m);
}

void machine_lock_other(struct machine *m)
{
	g_atomic_int_inc(&m->io_waiting);
	g_mutex_lock(&m->lock);
	g_atomic_int_dec_and_test(&m->io_waiting);
}

void machine_unlock_other(struct machine *m)
{
	g_mutex_unlock(&m->lock);
}
