#include "hw/pc_devices.h"

#include "hw/acpi_pm.h"
#include "hw/i8042.h"
#include "hw/intc.h"
#include "hw/misc_ports.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "vmm/layout.h"

struct pc_devices {
	struct pc_host_ops host;
	struct irq_router *irq;
	struct intc *intc;
	struct pit *pit;
	struct uart *com1;
	struct rtc *rtc;
	struct i8042 *i8042;
	struct misc_ports *misc;
	struct acpi_pm *acpi;
	struct pci_host *pci;
};

static void pc_request_reset(void *opaque)
{
	struct pc_devices *pc = opaque;
	if (pc->host.request_reset)
		pc->host.request_reset(pc->host.opaque);
}

static void pc_poweroff(void *opaque)
{
	struct pc_devices *pc = opaque;
	if (pc->host.request_stop)
		pc->host.request_stop(pc->host.opaque, 0, false);
}

static struct irq_line line(const struct pc_devices_params *p, unsigned n)
{
	return (struct irq_line){ p->irq, n };
}

struct pc_devices *pc_devices_create(const struct pc_devices_params *p, GError **err)
{
	struct pc_devices *pc = g_new0(struct pc_devices, 1);
	pc->host = p->host;
	pc->irq = p->irq;

	/* Interrupt controllers first: every line below leads to them. Then
	 * the 8254 PIT on line 0 (IOAPIC pin 2). With kvm's in-kernel irqchip
	 * both are the kernel's. */
	if (!p->kernel_irqchip) {
		struct intc_host ih = { p->host.opaque, p->host.irq_notify, p->host.send_init, p->host.send_sipi };
		pc->intc = intc_create(p->ncpus, p->clock, &ih);
		if (!pc->intc) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "interrupt controllers: %u CPUs is not supported (1-%u)", p->ncpus, INTC_MAX_CPUS);
			goto fail;
		}
		irq_router_init(p->irq, intc_set_irq, pc->intc);
		irq_router_set_msi(p->irq, intc_msi, pc->intc);
		if (!intc_register(pc->intc, p->pio, p->mmio, err))
			goto fail;

		pc->pit = pit_create(p->clock, line(p, IRQ_PIT));
		if (!pit_register(pc->pit, p->pio, err))
			goto fail;
	}

	/* COM1: 16550A at 0x3F8, line 4. */
	pc->com1 = uart_create(line(p, IRQ_COM1), p->serial);
	if (!uart_register(pc->com1, p->pio, PORT_COM1, err))
		goto fail;

	/* CMOS RTC at 0x70, line 8, with the memory size a BIOS would record. */
	pc->rtc = rtc_create(p->clock, line(p, IRQ_RTC));
	if (p->mem)
		rtc_set_memory_size(pc->rtc, p->mem->low_end,
				    p->mem->high_end > LAYOUT_4G ? p->mem->high_end - LAYOUT_4G : 0);
	if (!rtc_register(pc->rtc, p->pio, err))
		goto fail;

	/* i8042 at 0x60/0x64, lines 1 and 12; its reset line resets the machine. */
	pc->i8042 = i8042_create(line(p, IRQ_KBD), line(p, IRQ_MOUSE), pc_request_reset, pc);
	if (!i8042_register(pc->i8042, p->pio, err))
		goto fail;

	/* POST port 0x80, isa-debug-exit 0xF4 (reset control 0xCF9: see PCI). */
	struct misc_ports_host mh = { p->host.opaque, p->host.request_reset, p->host.request_stop };
	pc->misc = misc_ports_create(&mh);
	if (!misc_ports_register(pc->misc, p->pio, err))
		goto fail;

	/* ACPI PM block at 0x600, SCI on line 9. */
	pc->acpi = acpi_pm_create(p->clock, line(p, IRQ_SCI), pc_poweroff, pc);
	if (!acpi_pm_register(pc->acpi, p->pio, err))
		goto fail;

	/* PCI host bridge (conf1 at 0xCF8); byte accesses to 0xCF9 inside its
	 * address dword go to the reset control register. */
	pc->pci = pci_host_create(p->pio, p->mmio, p->irq);
	if (!pci_host_register(pc->pci, err))
		goto fail;
	pci_host_set_legacy_port(pc->pci, PORT_RESET, misc_reset_control_io, pc->misc);

	return pc;
fail:
	g_prefix_error(err, "PC devices: ");
	pc_devices_destroy(pc);
	return NULL;
}

void pc_devices_reset(struct pc_devices *pc)
{
	if (pc->intc)
		intc_reset(pc->intc);
	if (pc->pit)
		pit_reset(pc->pit);
	uart_reset(pc->com1);
	rtc_reset(pc->rtc);
	i8042_reset(pc->i8042);
	misc_ports_reset(pc->misc);
	acpi_pm_reset(pc->acpi);
	pci_host_reset(pc->pci);
}

void pc_devices_destroy(struct pc_devices *pc)
{
	if (!pc)
		return;
	if (pc->pci)
		pci_host_destroy(pc->pci);
	if (pc->acpi)
		acpi_pm_destroy(pc->acpi);
	if (pc->misc)
		misc_ports_destroy(pc->misc);
	if (pc->i8042)
		i8042_destroy(pc->i8042);
	if (pc->rtc)
		rtc_destroy(pc->rtc);
	if (pc->com1)
		uart_destroy(pc->com1);
	if (pc->pit)
		pit_destroy(pc->pit);
	if (pc->intc) {
		irq_router_init(pc->irq, NULL, NULL);  /* nothing may reach the freed intc */
		intc_destroy(pc->intc);
	}
	g_free(pc);
}

bool pc_irq_pending(struct pc_devices *pc, unsigned cpu)
{
	return pc->intc && intc_irq_pending(pc->intc, cpu);
}

int pc_irq_ack(struct pc_devices *pc, unsigned cpu)
{
	return pc->intc ? intc_irq_ack(pc->intc, cpu) : -1;
}

bool pc_nmi_pending(struct pc_devices *pc, unsigned cpu)
{
	return pc->intc && intc_nmi_pending(pc->intc, cpu);
}

bool pc_lapic_msr(struct pc_devices *pc, unsigned cpu, uint32_t index, uint64_t *value, bool is_write)
{
	return pc->intc && intc_lapic_msr(pc->intc, cpu, index, value, is_write);
}

void pc_power_button(struct pc_devices *pc)
{
	acpi_pm_power_button(pc->acpi);
}

size_t pc_serial_receive(struct pc_devices *pc, const uint8_t *buf, size_t len)
{
	return uart_receive(pc->com1, buf, len);
}

size_t pc_serial_rx_space(struct pc_devices *pc)
{
	return uart_rx_space(pc->com1);
}

struct pci_host *pc_pci(struct pc_devices *pc)
{
	return pc->pci;
}
