/* The DSDT's AML: \_S5_ (soft off), the processors, and \_SB.PCI0 with its
 * resources, the INTx routing (_PRT, the same wiring as the MP table and
 * the hw model's pci_intx_line) and the legacy ISA devices the kernel
 * should find through PNP: COM1, the i8042 keyboard and mouse, the RTC. */
#include "vmm/boot/acpi.h"
#include "vmm/boot/aml.h"
#include "vmm/boot/boot_priv.h"
#include "vmm/boot/mptable.h"

/* Small resource descriptors (ACPI 6 §6.4.2). */
static void res_io(GByteArray *r, uint16_t port, uint8_t len)
{
	uint8_t d[8] = { 0x47, 0x01, (uint8_t)port, (uint8_t)(port >> 8), (uint8_t)port, (uint8_t)(port >> 8), 1, len };
	aml_bytes(r, d, sizeof(d));
}

static void res_irq_noflags(GByteArray *r, unsigned irq)
{
	uint16_t mask = (uint16_t)(1u << irq);
	uint8_t d[3] = { 0x22, (uint8_t)mask, (uint8_t)(mask >> 8) };
	aml_bytes(r, d, sizeof(d));
}

/* Word address space descriptor, producer, MinFixed, MaxFixed, PosDecode. */
static void res_word(GByteArray *r, uint8_t rtype, uint8_t tflags, uint16_t min, uint16_t max)
{
	uint16_t len = (uint16_t)(max - min + 1);
	uint8_t d[16] = { 0x88, 13, 0, rtype, 0x0C, tflags, 0, 0,
			  (uint8_t)min, (uint8_t)(min >> 8), (uint8_t)max, (uint8_t)(max >> 8), 0, 0,
			  (uint8_t)len, (uint8_t)(len >> 8) };
	aml_bytes(r, d, sizeof(d));
}

static void res_dword_mem(GByteArray *r, uint32_t min, uint32_t max)
{
	uint8_t d[26] = { 0x87, 23, 0, 0 /* memory */, 0x0C, 0x01 /* read/write, non-cacheable */ };
	st32(d + 10, min);
	st32(d + 14, max);
	st32(d + 22, max - min + 1);
	aml_bytes(r, d, sizeof(d));
}

static void name_crs(GByteArray *b, GByteArray *r)
{
	static const uint8_t end[2] = { 0x79, 0x00 };   /* end tag, checksum 0 = "ignore" */
	aml_bytes(r, end, 2);
	aml_name(b, "_CRS");
	aml_buffer(b, r->data, r->len);
	g_byte_array_set_size(r, 0);
}

static void isa_device(GByteArray *b, GByteArray *r, const char *name, const char *hid, unsigned uid)
{
	size_t dev = aml_open_device(b, name);
	aml_name(b, "_HID");
	aml_eisaid(b, hid);
	aml_name(b, "_UID");
	aml_int(b, uid);
	name_crs(b, r);
	aml_close(b, dev);
}

GByteArray *dsdt_build_aml(unsigned ncpus)
{
	GByteArray *b = g_byte_array_new();
	g_autoptr(GByteArray) r = g_byte_array_new();

	aml_name(b, "\\_S5_");
	size_t pkg = aml_open_package(b, 4);
	aml_int(b, ACPI_S5_SLP_TYP);
	aml_int(b, ACPI_S5_SLP_TYP);
	aml_int(b, 0);
	aml_int(b, 0);
	aml_close(b, pkg);

	size_t sb = aml_open_scope(b, "\\_SB_");
	for (unsigned i = 0; i < ncpus; i++) {
		char name[5];
		g_snprintf(name, sizeof(name), "C%03X", i);
		size_t cpu = aml_open_device(b, name);
		aml_name(b, "_HID");
		aml_string(b, "ACPI0007");
		aml_name(b, "_UID");
		aml_int(b, i);                  /* = the MADT's processor UID */
		aml_close(b, cpu);
	}

	size_t pci = aml_open_device(b, "PCI0");
	aml_name(b, "_HID");
	aml_eisaid(b, "PNP0A03");
	aml_name(b, "_UID");
	aml_int(b, 0);
	aml_name(b, "_SEG");
	aml_int(b, 0);
	aml_name(b, "_BBN");
	aml_int(b, 0);
	res_word(r, 2, 0, 0x00, 0xFF);                    /* bus numbers 0-255 */
	res_io(r, PORT_PCI_CONFIG, 8);                     /* the config mechanism #1 ports */
	res_word(r, 1, 3, 0x0000, PORT_PCI_CONFIG - 1);  /* I/O window below them */
	res_word(r, 1, 3, 0x0D00, 0xFFFF);                /* and above */
	res_dword_mem(r, (uint32_t)LAYOUT_PCI_MMIO_START, (uint32_t)LAYOUT_PCI_MMIO_END);
	name_crs(b, r);

	aml_name(b, "_PRT");
	size_t prt = aml_open_package(b, 31 * 4);
	for (unsigned slot = 1; slot < 32; slot++)
		for (unsigned pin = 0; pin < 4; pin++) {
			size_t e = aml_open_package(b, 4);
			aml_int(b, (uint64_t)slot << 16 | 0xFFFF); /* any function of the slot */
			aml_int(b, pin);
			aml_int(b, 0);                              /* no link device: the next is a GSI */
			aml_int(b, mptable_pci_gsi(slot, pin));
			aml_close(b, e);
		}
	aml_close(b, prt);

	res_io(r, PORT_COM1, 8);
	res_irq_noflags(r, IRQ_COM1);
	isa_device(b, r, "COM1", "PNP0501", 1);
	res_io(r, PORT_KBD_DATA, 1);
	res_io(r, PORT_KBD_CMD, 1);
	res_irq_noflags(r, IRQ_KBD);
	isa_device(b, r, "KBD_", "PNP0303", 0);
	res_irq_noflags(r, IRQ_MOUSE);
	isa_device(b, r, "MOU_", "PNP0F13", 0);
	res_io(r, PORT_RTC, 2);
	res_irq_noflags(r, IRQ_RTC);
	isa_device(b, r, "RTC_", "PNP0B00", 0);

	aml_close(b, pci);
	aml_close(b, sb);
	return b;
}
