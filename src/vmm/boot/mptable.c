/* Intel MultiProcessor Specification 1.4 tables: the floating pointer at
 * LAYOUT_EBDA_START (scanned by Linux in the last KiB of base memory) and
 * the configuration table at BOOT_MP_CONFIG (it outgrows the EBDA once the
 * PCI interrupt entries are in).  Describes one processor per vCPU (APIC
 * id = index, CPU 0 the BSP), bus 0 PCI and bus 1 ISA, the IOAPIC (id =
 * ncpus, as in the MADT), ISA IRQ0 on pin 2 and IRQ 1, 3-15 on their own
 * pins, PCI INTx on pins 16-23 as the DSDT's _PRT, LINT0 ExtINT, LINT1 NMI. */
#include "vmm/boot/boot_priv.h"
#include "vmm/boot/mptable.h"

#include <string.h>

static void entry_intsrc(uint8_t *p, uint8_t type, uint16_t flags, uint8_t bus, uint8_t busirq, uint8_t apic,
			 uint8_t pin, uint8_t kind)
{
	p[0] = kind;
	p[1] = type;
	st16(p + 2, flags);
	p[4] = bus;
	p[5] = busirq;
	p[6] = apic;
	p[7] = pin;
}

/* The PCI INTx wiring shared with the DSDT: slot s, pin p (0 = INTA). */
unsigned mptable_pci_gsi(unsigned slot, unsigned pin0)
{
	return 16 + (slot + pin0) % 4;
}

bool mptable_build(struct guest_mem *gm, unsigned ncpus, GError **err)
{
	size_t nent = ncpus + 2 + 1 + 15 + 31 * 4 + 2;
	size_t len = MP_CONFIG_HDR + ncpus * MP_PROC_SIZE + (nent - ncpus) * 8;
	if (len > BOOT_MP_CONFIG_END - BOOT_MP_CONFIG) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "MP table for %u vCPUs does not fit", ncpus);
		return false;
	}
	g_autofree uint8_t *t = g_malloc0(len);
	uint8_t ioapic_id = (uint8_t)ncpus;
	memcpy(t, "PCMP", 4);
	st16(t + 4, (uint16_t)len);
	t[6] = 4;                                   /* spec revision 1.4 */
	memcpy(t + 8, "TANDEM  ", 8);
	memcpy(t + 16, "TANDEM PC   ", 12);
	st16(t + 34, (uint16_t)nent);
	st32(t + 36, (uint32_t)LAYOUT_LAPIC_BASE);

	uint8_t *p = t + MP_CONFIG_HDR;
	for (unsigned i = 0; i < ncpus; i++, p += MP_PROC_SIZE) {
		p[0] = MP_PROCESSOR;
		p[1] = (uint8_t)i;                  /* local APIC id */
		p[2] = 0x14;                        /* local APIC version */
		p[3] = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0);
		st32(p + 4, 0x600);                 /* signature: family 6 */
		st32(p + 8, 0x201);                 /* features: FPU, APIC */
	}
	p[0] = MP_BUS; p[1] = MP_BUS_PCI; memcpy(p + 2, "PCI   ", 6); p += 8;
	p[0] = MP_BUS; p[1] = MP_BUS_ISA; memcpy(p + 2, "ISA   ", 6); p += 8;
	p[0] = MP_IOAPIC; p[1] = ioapic_id; p[2] = 0x11; p[3] = 1;   /* version 0x11, enabled */
	st32(p + 4, (uint32_t)LAYOUT_IOAPIC_BASE);
	p += 8;
	for (unsigned irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;                   /* the cascade; IRQ0 uses pin 2 */
		uint16_t flags = irq == IRQ_SCI ? MP_IRQ_LEVEL_HIGH : 0;
		entry_intsrc(p, MP_INT, flags, MP_BUS_ISA, (uint8_t)irq, ioapic_id, (uint8_t)(irq == 0 ? 2 : irq),
			     MP_INTSRC);
		p += 8;
	}
	for (unsigned slot = 1; slot < 32; slot++)
		for (unsigned pin = 0; pin < 4; pin++, p += 8)
			entry_intsrc(p, MP_INT, MP_IRQ_LEVEL_LOW, MP_BUS_PCI, (uint8_t)(slot << 2 | pin), ioapic_id,
				     (uint8_t)mptable_pci_gsi(slot, pin), MP_INTSRC);
	entry_intsrc(p, MP_EXTINT, 0, MP_BUS_ISA, 0, 0xFF, 0, MP_LINTSRC);
	p += 8;
	entry_intsrc(p, MP_NMI, 0, MP_BUS_ISA, 0, 0xFF, 1, MP_LINTSRC);
	p += 8;
	g_assert((size_t)(p - t) == len);
	t[7] = boot_checksum(t, len);

	uint8_t fp[16] = { 0 };
	memcpy(fp, "_MP_", 4);
	st32(fp + 4, (uint32_t)BOOT_MP_CONFIG);
	fp[8] = 1;                                  /* length in 16-byte units */
	fp[9] = 4;                                  /* spec revision 1.4 */
	fp[10] = boot_checksum(fp, 16);
	if (!guest_mem_write(gm, LAYOUT_EBDA_START, fp, sizeof(fp)) || !guest_mem_write(gm, BOOT_MP_CONFIG, t, len)) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the MP table");
		return false;
	}
	return true;
}
