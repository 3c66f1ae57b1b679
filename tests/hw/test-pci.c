#include "hw/pci.h"

#include "vmm/layout.h"

#include "devtest.h"

#define ADDR 0xCF8
#define DATA 0xCFC

struct fixture {
	struct irqlog irq;
	struct bus pio, mmio;
	struct pci_host *h;
};

static void setup(struct fixture *f)
{
	irqlog_init(&f->irq);
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	f->h = pci_host_create(&f->pio, &f->mmio, &f->irq.router);
	g_assert_true(pci_host_register(f->h, NULL));
}

static void teardown(struct fixture *f)
{
	pci_host_destroy(f->h);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
}

static uint32_t cfg_addr(unsigned bus, unsigned slot, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | slot << 11 | fn << 8 | (reg & 0xFC);
}

static uint32_t cfg_read(struct fixture *f, unsigned slot, unsigned reg, unsigned len)
{
	pio_out(&f->pio, ADDR, cfg_addr(0, slot, 0, reg), 4);
	return pio_in(&f->pio, (uint16_t)(DATA + (reg & 3)), len);
}

static void cfg_write(struct fixture *f, unsigned slot, unsigned reg, unsigned len, uint32_t v)
{
	pio_out(&f->pio, ADDR, cfg_addr(0, slot, 0, reg), 4);
	pio_out(&f->pio, (uint16_t)(DATA + (reg & 3)), v, len);
}

static unsigned legacy_writes;
static uint8_t legacy_value;

static void legacy_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)opaque; (void)cpu;
	g_assert_cmpuint(offset, ==, 0);
	g_assert_cmpuint(len, ==, 1);
	if (is_write) {
		legacy_writes++;
		legacy_value = *(uint8_t *)data;
	} else {
		*(uint8_t *)data = legacy_value;
	}
}

static void test_address_register(void)
{
	struct fixture f;
	setup(&f);
	pci_host_set_legacy_port(f.h, 0xCF9, legacy_io, NULL);
	legacy_writes = 0;
	/* Linux's pci_check_type1(). */
	outb(&f.pio, 0xCFB, 0x01);                    /* not latched */
	uint32_t tmp = pio_in(&f.pio, ADDR, 4);
	g_assert_cmpuint(tmp, ==, 0);
	pio_out(&f.pio, ADDR, 0x80000000, 4);
	g_assert_cmpuint(pio_in(&f.pio, ADDR, 4), ==, 0x80000000);
	pio_out(&f.pio, ADDR, 0xFFFFFFFF, 4);
	g_assert_cmpuint(pio_in(&f.pio, ADDR, 4), ==, 0x80FFFFFC);
	/* Byte accesses at 0xCF9 reach the other port, not the register. */
	outb(&f.pio, 0xCF9, 0x06);
	g_assert_cmpuint(legacy_writes, ==, 1);
	g_assert_cmpuint(legacy_value, ==, 0x06);
	g_assert_cmpuint(inb(&f.pio, 0xCF9), ==, 0x06);
	g_assert_cmpuint(inb(&f.pio, 0xCF8), ==, 0xFF);
	g_assert_cmpuint(pio_in(&f.pio, ADDR, 4), ==, 0x80FFFFFC);
	pio_out(&f.pio, ADDR, 0x1234, 2);              /* word: not latched either */
	g_assert_cmpuint(pio_in(&f.pio, ADDR, 4), ==, 0x80FFFFFC);
	teardown(&f);
}

static void test_host_bridge(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(cfg_read(&f, 0, 0x00, 4), ==, 0x12378086);
	g_assert_cmpuint(cfg_read(&f, 0, 0x00, 2), ==, 0x8086);
	g_assert_cmpuint(cfg_read(&f, 0, 0x02, 2), ==, 0x1237);
	g_assert_cmpuint(cfg_read(&f, 0, 0x01, 1), ==, 0x80);
	g_assert_cmpuint(cfg_read(&f, 0, 0x03, 1), ==, 0x12);
	g_assert_cmpuint(cfg_read(&f, 0, 0x08, 4) >> 8, ==, 0x060000);
	g_assert_cmpuint(cfg_read(&f, 0, 0x0B, 1), ==, 0x06);
	g_assert_cmpuint(cfg_read(&f, 0, 0x0E, 1), ==, 0x00);  /* header type 0, single function */
	/* Vendor ID is read-only. */
	cfg_write(&f, 0, 0x00, 4, 0);
	g_assert_cmpuint(cfg_read(&f, 0, 0x00, 4), ==, 0x12378086);
	teardown(&f);
}

static void test_nonexistent(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(cfg_read(&f, 5, 0x00, 4), ==, 0xFFFFFFFF);
	g_assert_cmpuint(cfg_read(&f, 5, 0x00, 2), ==, 0xFFFF);
	g_assert_cmpuint(cfg_read(&f, 5, 0x03, 1), ==, 0xFF);
	cfg_write(&f, 5, 0x04, 2, 0xFFFF);  /* ignored */
	pio_out(&f.pio, ADDR, cfg_addr(1, 0, 0, 0), 4);   /* bus 1 */
	g_assert_cmpuint(pio_in(&f.pio, DATA, 4), ==, 0xFFFFFFFF);
	pio_out(&f.pio, ADDR, cfg_addr(0, 0, 3, 0), 4);   /* function 3 */
	g_assert_cmpuint(pio_in(&f.pio, DATA, 4), ==, 0xFFFFFFFF);
	pio_out(&f.pio, ADDR, cfg_addr(0, 0, 0, 0) & 0x7FFFFFFF, 4);  /* disabled */
	g_assert_cmpuint(pio_in(&f.pio, DATA, 4), ==, 0xFFFFFFFF);
	/* Accesses crossing the data port's end never reach a device. */
	pio_out(&f.pio, ADDR, cfg_addr(0, 0, 0, 0xFC), 4);
	g_assert_cmpuint(pio_in(&f.pio, DATA + 3, 2), ==, 0xFFFF);
	teardown(&f);
}

/* A test device: BAR0 I/O 32 bytes and BAR1 4 KiB MMIO mapped by the host,
 * BAR2 a 1 MiB prefetchable 64-bit BAR the device maps itself. */
struct testdev {
	struct pci_device pci;
	unsigned io_hits;
	unsigned maps[PCI_NUM_BARS], unmaps[PCI_NUM_BARS];
	unsigned last_bar;
	uint64_t last_addr;
	unsigned cfg_writes;
};

static void testdev_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu; (void)is_write;
	struct testdev *t = opaque;
	t->io_hits++;
	if (!is_write) {
		uint32_t v = 0xA5000000u | (uint32_t)offset;
		memcpy(data, &v, len < 4 ? len : 4);
	}
}

static void testdev_bar_map(struct pci_device *d, unsigned bar, uint64_t addr, bool enabled)
{
	struct testdev *t = d->opaque;
	if (enabled)
		t->maps[bar]++;
	else
		t->unmaps[bar]++;
	t->last_bar = bar;
	t->last_addr = addr;
}

static void testdev_cfg_write(struct pci_device *d, unsigned offset, unsigned len, uint32_t value)
{
	(void)offset; (void)len; (void)value;
	((struct testdev *)d->opaque)->cfg_writes++;
}

static void testdev_init(struct testdev *t)
{
	memset(t, 0, sizeof(*t));
	pci_device_init(&t->pci, "testdev", 0x1AF4, 0x1041, 0x020000, 1);
	t->pci.opaque = t;
	t->pci.bar_map = testdev_bar_map;
	t->pci.config_write = testdev_cfg_write;
	pci_device_set_subsystem(&t->pci, 0x1AF4, 0x0001);
	g_assert_true(pci_device_set_bar(&t->pci, 0, PCI_BAR_IO, 32, false, testdev_io, t));
	g_assert_true(pci_device_set_bar(&t->pci, 1, PCI_BAR_MEM32, 4096, false, testdev_io, t));
	g_assert_true(pci_device_set_bar(&t->pci, 2, PCI_BAR_MEM64, 1 * MiB, true, NULL, NULL));
	/* Refused: not a power of two, I/O too large, 64-bit in the last slot. */
	g_assert_false(pci_device_set_bar(&t->pci, 4, PCI_BAR_IO, 24, false, NULL, NULL));
	g_assert_false(pci_device_set_bar(&t->pci, 4, PCI_BAR_IO, 512, false, NULL, NULL));
	g_assert_false(pci_device_set_bar(&t->pci, 5, PCI_BAR_MEM64, 4096, false, NULL, NULL));
	g_assert_false(pci_device_set_bar(&t->pci, 6, PCI_BAR_MEM32, 4096, false, NULL, NULL));
	pci_device_set_interrupt_pin(&t->pci, 1);
}

static void test_bar_sizing(void)
{
	struct fixture f;
	setup(&f);
	struct testdev t;
	testdev_init(&t);
	g_assert_true(pci_register_device(f.h, &t.pci, 3, NULL));
	g_assert_cmpuint(cfg_read(&f, 3, 0x00, 4), ==, 0x10411AF4);
	g_assert_cmpuint(cfg_read(&f, 3, 0x2C, 4), ==, 0x00011AF4);
	g_assert_cmpuint(cfg_read(&f, 3, 0x10, 4), ==, 0x1);          /* I/O */
	g_assert_cmpuint(cfg_read(&f, 3, 0x18, 4), ==, 0xC);          /* 64-bit prefetchable */
	for (unsigned reg = 0x10; reg <= 0x30; reg += 4)
		if (reg < 0x28 || reg == 0x30)
			cfg_write(&f, 3, reg, 4, 0xFFFFFFFF);
	g_assert_cmpuint(cfg_read(&f, 3, 0x10, 4), ==, 0xFFFFFFE1);
	g_assert_cmpuint(cfg_read(&f, 3, 0x14, 4), ==, 0xFFFFF000);
	g_assert_cmpuint(cfg_read(&f, 3, 0x18, 4), ==, 0xFFF0000C);
	g_assert_cmpuint(cfg_read(&f, 3, 0x1C, 4), ==, 0xFFFFFFFF);
	g_assert_cmpuint(cfg_read(&f, 3, 0x20, 4), ==, 0);            /* unused BARs */
	g_assert_cmpuint(cfg_read(&f, 3, 0x24, 4), ==, 0);
	g_assert_cmpuint(cfg_read(&f, 3, 0x30, 4), ==, 0);            /* no ROM */
	/* Decoding is off (COMMAND = 0): nothing was mapped while sizing. */
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		g_assert_cmpuint(t.maps[i], ==, 0);
	g_assert_null(bus_find(&f.pio, 0xFFE0));
	/* COMMAND keeps only its writable bits; STATUS errors are W1C. */
	cfg_write(&f, 3, 0x04, 2, 0xFFFF);
	g_assert_cmpuint(cfg_read(&f, 3, 0x04, 2), ==, 0x0547);
	t.pci.config[PCI_STATUS + 1] = 0x20;                          /* received master abort */
	cfg_write(&f, 3, 0x06, 2, 0x2000);
	g_assert_cmpuint(cfg_read(&f, 3, 0x06, 2), ==, 0);
	g_assert_cmpuint(t.cfg_writes, >, 0);
	teardown(&f);
}

static void test_bar_mapping(void)
{
	struct fixture f;
	setup(&f);
	struct testdev t;
	testdev_init(&t);
	g_assert_true(pci_register_device(f.h, &t.pci, 3, NULL));

	cfg_write(&f, 3, 0x10, 4, 0xC000);
	cfg_write(&f, 3, 0x14, 4, 0xC0001000);
	cfg_write(&f, 3, 0x18, 4, 0x00000000);
	cfg_write(&f, 3, 0x1C, 4, 0x00000008);                        /* 32 GiB */
	g_assert_null(bus_find(&f.pio, 0xC000));
	cfg_write(&f, 3, 0x04, 2, PCI_COMMAND_IO);
	g_assert_nonnull(bus_find(&f.pio, 0xC000));
	g_assert_nonnull(bus_find(&f.pio, 0xC01F));
	g_assert_null(bus_find(&f.pio, 0xC020));
	g_assert_cmpuint(pio_in(&f.pio, 0xC004, 4), ==, 0xA5000004);
	g_assert_null(bus_find(&f.mmio, 0xC0001000));
	/* bar_map is told about host-mapped BARs too. */
	g_assert_cmpuint(t.maps[0], ==, 1);
	g_assert_cmpuint(t.last_addr, ==, 0xC000);
	g_assert_cmpuint(t.maps[1] + t.maps[2], ==, 0);

	cfg_write(&f, 3, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	g_assert_nonnull(bus_find(&f.mmio, 0xC0001FFF));
	g_assert_cmpuint(t.maps[1], ==, 1);
	g_assert_cmpuint(t.maps[2], ==, 1);                           /* BAR2: the device maps it */
	g_assert_null(bus_find(&f.mmio, 0x800000000ULL));
	g_assert_cmpuint(t.last_bar, ==, 2);
	g_assert_cmpuint(t.last_addr, ==, 0x800000000ULL);
	g_assert_true(t.pci.bars[2].mapped);

	/* Moving a live BAR: unmap the old address, map the new one. */
	cfg_write(&f, 3, 0x18, 4, 0x00100000);
	g_assert_cmpuint(t.unmaps[2], ==, 1);
	g_assert_cmpuint(t.maps[2], ==, 2);
	g_assert_cmpuint(t.last_addr, ==, 0x800100000ULL);
	cfg_write(&f, 3, 0x10, 4, 0xD000);
	g_assert_null(bus_find(&f.pio, 0xC000));
	g_assert_nonnull(bus_find(&f.pio, 0xD000));

	/* Decode off: everything goes away. */
	cfg_write(&f, 3, 0x04, 2, 0);
	g_assert_null(bus_find(&f.pio, 0xD000));
	g_assert_null(bus_find(&f.mmio, 0xC0001000));
	g_assert_cmpuint(t.unmaps[0], ==, 2);
	g_assert_cmpuint(t.unmaps[1], ==, 1);
	g_assert_cmpuint(t.unmaps[2], ==, 2);

	/* Over an existing range, or outside the address space: not mapped. */
	g_assert_true(bus_register(&f.pio, 0x3F8, 8, testdev_io, &t, "uart", NULL));
	cfg_write(&f, 3, 0x10, 4, 0x3E0);                             /* overlaps 0x3F8 */
	cfg_write(&f, 3, 0x14, 4, 0xFFFFF000);                        /* ends at 4 GiB: ok */
	cfg_write(&f, 3, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	g_assert_false(t.pci.bars[0].mapped);
	g_assert_true(t.pci.bars[1].mapped);
	cfg_write(&f, 3, 0x10, 4, 0xFFFFFFE1);                        /* beyond 64 KiB */
	g_assert_false(t.pci.bars[0].mapped);

	/* Reset: unmapped, registered config back. */
	pci_host_reset(f.h);
	g_assert_false(t.pci.bars[1].mapped);
	g_assert_false(t.pci.bars[2].mapped);
	g_assert_null(bus_find(&f.mmio, 0xFFFFF000));
	g_assert_cmpuint(cfg_read(&f, 3, 0x04, 2), ==, 0);
	g_assert_cmpuint(cfg_read(&f, 3, 0x14, 4), ==, 0);
	teardown(&f);
}

static void test_capabilities(void)
{
	struct fixture f;
	setup(&f);
	struct testdev t;
	testdev_init(&t);
	g_assert_cmpuint(pci_device_add_capability(&t.pci, 0x09, 6), ==, 0x40);
	g_assert_cmpuint(pci_device_add_capability(&t.pci, 0x11, 12), ==, 0x48);
	g_assert_cmpuint(pci_device_add_capability(&t.pci, 0x09, 200), ==, 0);  /* no room */
	g_assert_true(pci_register_device(f.h, &t.pci, 7, NULL));
	g_assert_cmpuint(cfg_read(&f, 7, 0x06, 2) & PCI_STATUS_CAP_LIST, ==, PCI_STATUS_CAP_LIST);
	g_assert_cmpuint(cfg_read(&f, 7, 0x34, 1), ==, 0x40);
	g_assert_cmpuint(cfg_read(&f, 7, 0x40, 2), ==, 0x4809);
	g_assert_cmpuint(cfg_read(&f, 7, 0x48, 2), ==, 0x0011);
	cfg_write(&f, 7, 0x40, 2, 0);                                 /* read-only list */
	g_assert_cmpuint(cfg_read(&f, 7, 0x40, 2), ==, 0x4809);
	teardown(&f);
}

static void test_intx(void)
{
	struct fixture f;
	setup(&f);
	g_assert_cmpuint(pci_intx_line(0, 1), ==, 16);
	g_assert_cmpuint(pci_intx_line(1, 1), ==, 17);
	g_assert_cmpuint(pci_intx_line(1, 4), ==, 16);
	g_assert_cmpuint(pci_intx_line(3, 1), ==, 19);
	g_assert_cmpuint(pci_intx_line(4, 4), ==, 19);
	g_assert_cmpuint(pci_intx_line(31, 2), ==, 16);

	struct testdev a, b;
	testdev_init(&a);
	testdev_init(&b);
	pci_device_set_interrupt_pin(&b.pci, 4);
	g_assert_true(pci_register_device(f.h, &a.pci, 3, NULL));
	g_assert_true(pci_register_device(f.h, &b.pci, 4, NULL));
	g_assert_cmpuint(cfg_read(&f, 3, 0x3C, 2), ==, 0x0113);       /* pin INTA, line 19 */
	g_assert_cmpuint(cfg_read(&f, 4, 0x3C, 2), ==, 0x0413);       /* pin INTD, line 19 */

	pci_device_set_irq(&a.pci, true);
	g_assert_true(f.irq.level[19]);
	g_assert_cmpuint(cfg_read(&f, 3, 0x06, 2) & PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
	pci_device_set_irq(&b.pci, true);
	pci_device_set_irq(&a.pci, false);
	g_assert_true(f.irq.level[19]);                               /* b still holds it */
	cfg_write(&f, 4, 0x04, 2, PCI_COMMAND_INTX_DISABLE);
	g_assert_false(f.irq.level[19]);
	g_assert_cmpuint(cfg_read(&f, 4, 0x06, 2) & PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
	cfg_write(&f, 4, 0x04, 2, 0);
	g_assert_true(f.irq.level[19]);
	pci_device_set_irq(&b.pci, false);
	g_assert_false(f.irq.level[19]);
	teardown(&f);
}

static void test_register_errors(void)
{
	struct fixture f;
	setup(&f);
	struct testdev a, b;
	testdev_init(&a);
	testdev_init(&b);
	g_autoptr(GError) err = NULL;
	g_assert_false(pci_register_device(f.h, &a.pci, 32, &err));
	g_assert_nonnull(strstr(err->message, "slot 32"));
	g_clear_error(&err);
	g_assert_false(pci_register_device(f.h, &a.pci, 0, &err));   /* the host bridge */
	g_assert_nonnull(strstr(err->message, "i440fx"));
	g_clear_error(&err);
	g_assert_true(pci_register_device(f.h, &a.pci, 1, NULL));
	g_assert_false(pci_register_device(f.h, &b.pci, 1, &err));
	g_clear_error(&err);
	g_assert_false(pci_register_device(f.h, &a.pci, 2, &err));   /* twice */
	teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pci/address-register", test_address_register);
	g_test_add_func("/pci/host-bridge", test_host_bridge);
	g_test_add_func("/pci/nonexistent", test_nonexistent);
	g_test_add_func("/pci/bar-sizing", test_bar_sizing);
	g_test_add_func("/pci/bar-mapping", test_bar_mapping);
	g_test_add_func("/pci/capabilities", test_capabilities);
	g_test_add_func("/pci/intx", test_intx);
	g_test_add_func("/pci/register-errors", test_register_errors);
	return g_test_run();
}
