/* ACPI tables in [LAYOUT_ACPI_START, BOOT_ACPI_END): RSDP (revision 2) ->
 * RSDT and XSDT -> FADT (-> FACS, DSDT) and MADT.  The FADT describes a
 * full (not hardware-reduced) PC: the PM1a event/control blocks and the PM
 * timer at PORT_ACPI_PM, SCI on IRQ_SCI, ACPI always enabled (SMI_CMD 0),
 * reset through port 0xCF9, legacy devices and an i8042.  The MADT lists
 * one enabled local APIC per vCPU, the IOAPIC (id = ncpus, like the MP
 * table), ISA IRQ0 -> GSI 2 and the level-triggered SCI. */
#include "vmm/boot/acpi.h"
#include "vmm/boot/boot_priv.h"

#include <string.h>

#define AREA (BOOT_ACPI_END - LAYOUT_ACPI_START)

struct area {
	uint8_t *buf;         /* host copy of the whole area */
	size_t used;
	bool full;
};

/* Reserves len bytes aligned to align; returns the offset in the area. */
static size_t alloc(struct area *a, size_t len, size_t align)
{
	size_t off = (a->used + align - 1) & ~(align - 1);
	if (off + len > AREA) {
		a->full = true;
		return 0;
	}
	a->used = off + len;
	return off;
}

static uint64_t gpa(size_t off)
{
	return LAYOUT_ACPI_START + off;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	st32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	st32(t + 24, 1);                       /* OEM revision */
	memcpy(t + 28, "TNDM", 4);             /* creator id */
	st32(t + 32, 1);                       /* creator revision */
}

static void finish(uint8_t *t)
{
	t[9] = 0;
	t[9] = boot_checksum(t, ld32(t + 4));
}

/* Generic address structure for a System I/O register. */
static void gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint64_t port)
{
	p[0] = 1;                              /* System I/O */
	p[1] = bits;
	p[2] = 0;
	p[3] = access;                         /* 1 byte, 2 word, 3 dword */
	st64(p + 4, port);
}

static void build_fadt(uint8_t *t, uint64_t facs, uint64_t dsdt)
{
	header(t, "FACP", ACPI_FADT_SIZE, 6);
	st32(t + FADT_FIRMWARE_CTRL, (uint32_t)facs);
	st32(t + FADT_DSDT, (uint32_t)dsdt);
	st16(t + FADT_SCI_INT, IRQ_SCI);
	st32(t + FADT_SMI_CMD, 0);             /* no SMI: ACPI mode is always on */
	st32(t + FADT_PM1A_EVT_BLK, PORT_ACPI_PM);
	st32(t + FADT_PM1A_CNT_BLK, PORT_ACPI_PM + 4);
	st32(t + FADT_PM_TMR_BLK, PORT_ACPI_PM + 8);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	t[FADT_PM_TMR_LEN] = 4;
	st16(t + 96, 101);                     /* P_LVL2_LAT > 100: no C2 */
	st16(t + 98, 1001);                    /* P_LVL3_LAT > 1000: no C3 */
	st16(t + FADT_IAPC_BOOT_ARCH, FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042);
	st32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP);
	gas_io(t + FADT_RESET_REG, 8, 1, PORT_RESET);
	t[FADT_RESET_VALUE] = 0x06;            /* full reset, CPU reset */
	t[FADT_MINOR_VERSION] = 0;
	/* One FACS pointer only: with both set, ACPICA installs the FACS twice. */
	st64(t + FADT_X_FIRMWARE_CTRL, 0);
	st64(t + FADT_X_DSDT, dsdt);
	gas_io(t + FADT_X_PM1A_EVT_BLK, 32, 2, PORT_ACPI_PM);
	gas_io(t + FADT_X_PM1A_CNT_BLK, 16, 2, PORT_ACPI_PM + 4);
	gas_io(t + FADT_X_PM_TMR_BLK, 32, 3, PORT_ACPI_PM + 8);
	memcpy(t + FADT_HYPERVISOR_ID, "TANDEM\0\0", 8);
	finish(t);
}

static size_t madt_size(unsigned ncpus)
{
	return 44 + 8 * ncpus + 12 + 2 * 10 + 6;
}

static void build_madt(uint8_t *t, unsigned ncpus)
{
	size_t len = madt_size(ncpus);
	header(t, "APIC", (uint32_t)len, 3);
	st32(t + 36, (uint32_t)LAYOUT_LAPIC_BASE);
	st32(t + 40, MADT_PCAT_COMPAT);        /* 8259s present */
	uint8_t *p = t + 44;
	for (unsigned i = 0; i < ncpus; i++, p += 8) {
		p[0] = MADT_LAPIC;
		p[1] = 8;
		p[2] = (uint8_t)i;                 /* processor UID */
		p[3] = (uint8_t)i;                 /* APIC id */
		st32(p + 4, 1);                    /* enabled */
	}
	p[0] = MADT_IOAPIC;
	p[1] = 12;
	p[2] = (uint8_t)ncpus;                 /* IOAPIC id, as in the MP table */
	st32(p + 4, (uint32_t)LAYOUT_IOAPIC_BASE);
	st32(p + 8, 0);                        /* GSI base */
	p += 12;
	static const struct { uint8_t irq; uint32_t gsi; uint16_t flags; } iso[] = {
		{ IRQ_PIT, 2, 0 },                 /* conforming: edge, active high */
		{ IRQ_SCI, IRQ_SCI, 0x000D },      /* level, active high */
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(iso); i++, p += 10) {
		p[0] = MADT_ISO;
		p[1] = 10;
		p[2] = 0;                          /* bus: ISA */
		p[3] = iso[i].irq;
		st32(p + 4, iso[i].gsi);
		st16(p + 8, iso[i].flags);
	}
	p[0] = MADT_LAPIC_NMI;
	p[1] = 6;
	p[2] = 0xFF;                           /* all processors */
	st16(p + 3, 0);                        /* conforming */
	p[5] = 1;                              /* LINT1 */
	finish(t);
}

bool acpi_build(struct guest_mem *gm, unsigned ncpus, uint64_t *rsdp_out, GError **err)
{
	g_autoptr(GByteArray) aml = dsdt_build_aml(ncpus);
	struct area a = { .buf = g_malloc0(AREA) };
	size_t rsdp = alloc(&a, ACPI_RSDP_SIZE, 16);
	size_t rsdt = alloc(&a, ACPI_HDR_SIZE + 2 * 4, 16);
	size_t xsdt = alloc(&a, ACPI_HDR_SIZE + 2 * 8, 16);
	size_t fadt = alloc(&a, ACPI_FADT_SIZE, 16);
	size_t facs = alloc(&a, ACPI_FACS_SIZE, 64);
	size_t madt = alloc(&a, madt_size(ncpus), 16);
	size_t dsdt = alloc(&a, ACPI_HDR_SIZE + aml->len, 16);
	if (a.full) {
		g_free(a.buf);
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_INVALID, "ACPI tables for %u vCPUs do not fit in %" G_GUINT64_FORMAT
			    " KiB", ncpus, (uint64_t)AREA / KiB);
		return false;
	}
	uint8_t *b = a.buf;

	header(b + dsdt, "DSDT", (uint32_t)(ACPI_HDR_SIZE + aml->len), 2);   /* rev 2: 64-bit integers */
	memcpy(b + dsdt + ACPI_HDR_SIZE, aml->data, aml->len);
	finish(b + dsdt);

	memcpy(b + facs, "FACS", 4);
	st32(b + facs + 4, ACPI_FACS_SIZE);
	b[facs + 32] = 2;                      /* version */

	build_fadt(b + fadt, gpa(facs), gpa(dsdt));
	build_madt(b + madt, ncpus);

	header(b + rsdt, "RSDT", ACPI_HDR_SIZE + 2 * 4, 1);
	st32(b + rsdt + 36, (uint32_t)gpa(fadt));
	st32(b + rsdt + 40, (uint32_t)gpa(madt));
	finish(b + rsdt);
	header(b + xsdt, "XSDT", ACPI_HDR_SIZE + 2 * 8, 1);
	st64(b + xsdt + 36, gpa(fadt));
	st64(b + xsdt + 44, gpa(madt));
	finish(b + xsdt);

	uint8_t *r = b + rsdp;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = 2;                             /* ACPI 2.0+ RSDP */
	st32(r + 16, (uint32_t)gpa(rsdt));
	st32(r + 20, ACPI_RSDP_SIZE);
	st64(r + 24, gpa(xsdt));
	r[8] = boot_checksum(r, 20);
	r[32] = boot_checksum(r, ACPI_RSDP_SIZE);

	bool ok = guest_mem_write(gm, LAYOUT_ACPI_START, b, a.used);
	g_free(a.buf);
	if (!ok) {
		g_set_error(err, BOOT_ERROR, BOOT_ERROR_NOSPACE, "guest RAM too small for the ACPI tables");
		return false;
	}
	*rsdp_out = gpa(rsdp);
	return true;
}
