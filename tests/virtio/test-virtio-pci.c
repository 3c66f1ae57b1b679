/* virtio-pci transport + virtio-blk/-rng, driven the way Linux drives them:
 * config space IDs and capability layout, BAR sizing and mapping through
 * the real PCI host, modern and legacy initialisation, feature
 * negotiation, MSI-X table/PBA/masking, INTx + ISR, requests through the
 * rings (read/write/flush/get-id/discard/read-only), and a hostile chain
 * that must end in NEEDS_RESET with tandem still running. */
#include "hw/pci.h"
#include "hw/virtio/block/blk.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "vmm/layout.h"

#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <string.h>
#include <unistd.h>

#define SLOT 3
#define IO_BASE 0xc000
#define MSIX_BASE 0xc0000000ULL
#define MODERN_BASE 0xc0004000ULL
#define QSZ 16
#define DESC 0x10000ULL
#define AVAIL 0x11000ULL
#define USED 0x12000ULL
#define DATA 0x20000ULL

static struct guest_mem gm;
static struct bus pio, mmio;
static struct irq_router router;
static struct pci_host *host;
static uint32_t line_levels;
static unsigned msi_count;
static uint64_t last_msi_addr;
static uint32_t last_msi_data;
static char *tmpdir, *disk_path;

static void on_irq(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	if (level)
		line_levels |= 1u << line;
	else
		line_levels &= ~(1u << line);
}

static void on_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	msi_count++;
	last_msi_addr = addr;
	last_msi_data = data;
}

static uint32_t cfg_r(unsigned off, unsigned len) { return pci_config_read(host, 0, SLOT, 0, off, len); }
static void cfg_w(unsigned off, unsigned len, uint32_t v) { pci_config_write(host, 0, SLOT, 0, off, len, v); }

static uint64_t mm_r(uint64_t addr, unsigned len)
{
	uint64_t v = 0;
	bus_access(&mmio, addr, &v, len, false, 0);
	return v;
}

static void mm_w(uint64_t addr, unsigned len, uint64_t v) { bus_access(&mmio, addr, &v, len, true, 0); }

static uint64_t io_r(uint64_t port, unsigned len)
{
	uint64_t v = 0;
	bus_access(&pio, port, &v, len, false, 0);
	return v;
}

static void io_w(uint64_t port, unsigned len, uint64_t v) { bus_access(&pio, port, &v, len, true, 0); }

static void setup(void)
{
	line_levels = 0;
	msi_count = 0;
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	irq_router_init(&router, on_irq, NULL);
	irq_router_set_msi(&router, on_msi, NULL);
	host = pci_host_create(&pio, &mmio, &router);
	g_assert_true(pci_host_register(host, NULL));
	memset(gm.base, 0, 1 * MiB);
	int fd = open(disk_path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
	close(fd);
}

static void teardown(void)
{
	pci_host_destroy(host);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

static void map_bars(void)
{
	cfg_w(PCI_BAR0, 4, IO_BASE);
	cfg_w(PCI_BAR0 + 4, 4, (uint32_t)MSIX_BASE);
	cfg_w(PCI_BAR0 + 8, 4, (uint32_t)MODERN_BASE);
	cfg_w(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static struct virtio_blk *make_blk(struct virtio_pci *vp, bool readonly)
{
	struct blk *disk = blk_open(disk_path, BLK_FORMAT_RAW, readonly, NULL);
	g_assert_nonnull(disk);
	struct virtio_blk *vb = virtio_blk_create("virtio-blk0", disk, "SERIAL-0123456789-ABCDEF", &gm);
	g_assert_true(virtio_pci_init(vp, &vb->vdev, &router, NULL));
	g_assert_true(pci_register_device(host, &vp->pci, SLOT, NULL));
	map_bars();
	return vb;
}

/* Finds the vendor capability of cfg_type; returns its config offset. */
static unsigned find_vcap(uint8_t type)
{
	for (unsigned c = cfg_r(PCI_CAPABILITY_LIST, 1); c; c = cfg_r(c + 1, 1))
		if (cfg_r(c, 1) == 0x09 && cfg_r(c + VIRTIO_PCI_CAP_CFG_TYPE, 1) == type)
			return c;
	return 0;
}

static unsigned find_cap(uint8_t id)
{
	for (unsigned c = cfg_r(PCI_CAPABILITY_LIST, 1); c; c = cfg_r(c + 1, 1))
		if (cfg_r(c, 1) == id)
			return c;
	return 0;
}

static void test_config_layout(void)
{
	setup();
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, false);
	g_assert_cmphex(cfg_r(PCI_VENDOR_ID, 2), ==, 0x1af4);
	g_assert_cmphex(cfg_r(PCI_DEVICE_ID, 2), ==, 0x1001);
	g_assert_cmphex(cfg_r(PCI_REVISION_ID, 1), ==, 0);
	g_assert_cmphex(cfg_r(PCI_SUBSYSTEM_VENDOR_ID, 2), ==, 0x1af4);
	g_assert_cmphex(cfg_r(PCI_SUBSYSTEM_ID, 2), ==, 2);
	g_assert_cmphex(cfg_r(0x08, 4) >> 8, ==, 0x010000);
	g_assert_cmpuint(cfg_r(PCI_INTERRUPT_PIN, 1), ==, 1);
	g_assert_true(cfg_r(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	/* BAR sizing: legacy I/O 128 bytes, MSI-X 4 KiB, modern 16 KiB. */
	cfg_w(PCI_COMMAND, 2, 0);
	cfg_w(PCI_BAR0, 4, 0xffffffff);
	g_assert_cmphex(cfg_r(PCI_BAR0, 4), ==, ~(uint32_t)(128 - 1) | 1);
	cfg_w(PCI_BAR0 + 8, 4, 0xffffffff);
	g_assert_cmphex(cfg_r(PCI_BAR0 + 8, 4), ==, ~(uint32_t)(VIRTIO_PCI_MODERN_SIZE - 1));
	map_bars();
	/* Vendor capabilities. */
	static const struct { uint8_t type; uint32_t off, min_len; } caps[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, 0x38 },
		{ VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF, 8 },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF, 4 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(caps); i++) {
		unsigned c = find_vcap(caps[i].type);
		g_assert_cmpuint(c, !=, 0);
		g_assert_cmpuint(cfg_r(c + VIRTIO_PCI_CAP_BAR, 1), ==, VIRTIO_PCI_MODERN_BAR);
		g_assert_cmphex(cfg_r(c + VIRTIO_PCI_CAP_OFFSET, 4), ==, caps[i].off);
		g_assert_cmpuint(cfg_r(c + VIRTIO_PCI_CAP_LENGTH, 4), >=, caps[i].min_len);
		g_assert_cmpuint(c % 4, ==, 0);
	}
	unsigned n = find_vcap(VIRTIO_PCI_CAP_NOTIFY_CFG);
	g_assert_cmpuint(cfg_r(n + VIRTIO_PCI_CAP_LEN, 1), ==, 20);
	g_assert_cmpuint(cfg_r(n + VIRTIO_PCI_NOTIFY_CAP_MULT, 4), ==, VIRTIO_PCI_NOTIFY_MULT);
	/* MSI-X: 2 vectors (config + 1 queue), table in BAR1 at 0, PBA at 0x800. */
	unsigned m = find_cap(0x11);
	g_assert_cmpuint(m, !=, 0);
	g_assert_cmpuint(cfg_r(m + 2, 2) & 0x7ff, ==, 1);
	g_assert_cmphex(cfg_r(m + 4, 4), ==, VIRTIO_PCI_MSIX_BAR);
	g_assert_cmphex(cfg_r(m + 8, 4), ==, VIRTIO_PCI_PBA_OFF | VIRTIO_PCI_MSIX_BAR);
	/* The mapped regions answer: num_queues, capacity in device config. */
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_NUMQ, 2), ==, 1);
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_DEVICE_OFF, 8), ==, 2048);
	g_assert_cmpuint(io_r(IO_BASE + 20, 4), ==, 2048);  /* legacy config, MSI-X off */
	/* Wrong-width access to a common field is ignored. */
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_NUMQ, 4), ==, 0);
	teardown();
	virtio_blk_destroy(vb);
}

/* Modern driver bring-up, as virtio_pci_modern + virtio_blk do it. */
static void modern_init(uint64_t want, bool msix)
{
	uint64_t c = MODERN_BASE;
	mm_w(c + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	mm_w(c + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	mm_w(c + VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	uint64_t f = mm_r(c + VIRTIO_PCI_COMMON_DF, 4);
	mm_w(c + VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	f |= mm_r(c + VIRTIO_PCI_COMMON_DF, 4) << 32;
	g_assert_true(f & (1ULL << VIRTIO_F_VERSION_1));
	want &= f;
	mm_w(c + VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	mm_w(c + VIRTIO_PCI_COMMON_GF, 4, (uint32_t)want);
	mm_w(c + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	mm_w(c + VIRTIO_PCI_COMMON_GF, 4, want >> 32);
	mm_w(c + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	     VIRTIO_CONFIG_S_FEATURES_OK);
	g_assert_true(mm_r(c + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_CONFIG_S_FEATURES_OK);
	if (msix) {
		unsigned m = find_cap(0x11);
		cfg_w(m + 2, 2, 0x8000);
		for (unsigned v = 0; v < 2; v++) {
			mm_w(MSIX_BASE + 16 * v, 4, 0xfee00000);
			mm_w(MSIX_BASE + 16 * v + 4, 4, 0);
			mm_w(MSIX_BASE + 16 * v + 8, 4, 0x40 + v);
			mm_w(MSIX_BASE + 16 * v + 12, 4, 0);
		}
		mm_w(c + VIRTIO_PCI_COMMON_MSIX, 2, 0);
		g_assert_cmpuint(mm_r(c + VIRTIO_PCI_COMMON_MSIX, 2), ==, 0);
	}
	mm_w(c + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	g_assert_cmpuint(mm_r(c + VIRTIO_PCI_COMMON_Q_SIZE, 2), >=, QSZ);
	mm_w(c + VIRTIO_PCI_COMMON_Q_SIZE, 2, QSZ);
	mm_w(c + VIRTIO_PCI_COMMON_Q_DESCLO, 4, DESC);
	mm_w(c + VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0);
	mm_w(c + VIRTIO_PCI_COMMON_Q_AVAILLO, 4, AVAIL);
	mm_w(c + VIRTIO_PCI_COMMON_Q_USEDLO, 4, USED);
	if (msix) {
		mm_w(c + VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
		g_assert_cmpuint(mm_r(c + VIRTIO_PCI_COMMON_Q_MSIX, 2), ==, 1);
	}
	mm_w(c + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	g_assert_cmpuint(mm_r(c + VIRTIO_PCI_COMMON_Q_ENABLE, 2), ==, 1);
	mm_w(c + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };
	g_assert_true(guest_mem_write(&gm, DESC + 16ULL * i, &d, sizeof(d)));
}

static uint16_t avail_idx;

/* Builds a blk request in descriptors 0..2 and kicks queue 0. */
static uint8_t blk_req(uint32_t type, uint64_t sector, uint32_t data_len, bool legacy_notify)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	g_assert_true(guest_mem_write(&gm, DATA, &h, sizeof(h)));
	bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	put_desc(0, DATA, sizeof(h), VRING_DESC_F_NEXT, data_len ? 1 : 2);
	put_desc(1, DATA + 0x1000, data_len, VRING_DESC_F_NEXT | (dev_writes ? VRING_DESC_F_WRITE : 0), 2);
	uint8_t status = 0xee;
	g_assert_true(guest_mem_write(&gm, DATA + 0x3000, &status, 1));
	put_desc(2, DATA + 0x3000, 1, VRING_DESC_F_WRITE, 0);
	uint16_t head = 0;
	g_assert_true(guest_mem_write(&gm, AVAIL + 4 + 2 * (avail_idx % QSZ), &head, 2));
	avail_idx++;
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &avail_idx, 2));
	if (legacy_notify)
		io_w(IO_BASE + VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);
	else
		mm_w(MODERN_BASE + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	uint16_t used;
	g_assert_true(guest_mem_read(&gm, USED + 2, &used, 2));
	g_assert_cmpuint(used, ==, avail_idx);
	g_assert_true(guest_mem_read(&gm, DATA + 0x3000, &status, 1));
	return status;
}

static void test_modern_blk(void)
{
	setup();
	avail_idx = 0;
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, false);
	modern_init((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_FLUSH) |
		    (1ULL << VIRTIO_BLK_F_DISCARD) | (1ULL << VIRTIO_RING_F_EVENT_IDX), true);
	uint8_t sector[1024];
	for (unsigned i = 0; i < sizeof(sector); i++)
		sector[i] = (uint8_t)(i ^ 0x5a);
	g_assert_true(guest_mem_write(&gm, DATA + 0x1000, sector, sizeof(sector)));
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_OUT, 3, 1024, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(msi_count, ==, 1);
	g_assert_cmphex(last_msi_data, ==, 0x41);
	g_assert_cmphex(last_msi_addr, ==, 0xfee00000);
	/* The bytes reached the file. */
	g_autofree char *file = NULL;
	g_assert_true(g_file_get_contents(disk_path, &file, NULL, NULL));
	g_assert_cmpmem(file + 3 * 512, 1024, sector, 1024);
	/* Read back. */
	memset(gm.base + DATA + 0x1000, 0, 1024);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 3, 1024, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpmem(gm.base + DATA + 0x1000, 1024, sector, 1024);
	struct vring_used_elem e;
	g_assert_true(guest_mem_read(&gm, USED + 4 + 8, &e, sizeof(e)));
	g_assert_cmpuint(e.len, ==, 1025);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_FLUSH, 0, 0, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpmem(gm.base + DATA + 0x1000, VIRTIO_BLK_ID_BYTES, "SERIAL-0123456789-AB", VIRTIO_BLK_ID_BYTES);
	/* Beyond the end of the 2048-sector disk, unaligned length, unknown type. */
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 2047, 1024, false), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, false), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_OUT, 0, 100, false), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_req(77, 0, 512, false), ==, VIRTIO_BLK_S_UNSUPP);
	/* Discard one segment. */
	struct virtio_blk_discard_write_zeroes seg = { .sector = 0, .num_sectors = 2048 };
	g_assert_true(guest_mem_write(&gm, DATA + 0x1000, &seg, sizeof(seg)));
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false), ==, VIRTIO_BLK_S_OK);
	seg.num_sectors = 2049;
	g_assert_true(guest_mem_write(&gm, DATA + 0x1000, &seg, sizeof(seg)));
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_DISCARD, 0, sizeof(seg), false), ==, VIRTIO_BLK_S_IOERR);
	g_assert_true(virtio_dev_live(&vb->vdev));
	g_assert_cmpuint(line_levels, ==, 0);  /* MSI-X: no INTx */
	teardown();
	virtio_blk_destroy(vb);
}

static void test_readonly_blk(void)
{
	setup();
	avail_idx = 0;
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, true);
	mm_w(MODERN_BASE + VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	g_assert_true(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_DF, 4) & (1u << VIRTIO_BLK_F_RO));
	modern_init((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_RO), false);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_OUT, 0, 512, false), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 0, 512, false), ==, VIRTIO_BLK_S_OK);
	/* No MSI-X: INTx pin A of slot 3, cleared by reading the ISR. */
	unsigned line = pci_intx_line(SLOT, 1);
	g_assert_true(line_levels & (1u << line));
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_ISR_OFF, 1), ==, 1);
	g_assert_false(line_levels & (1u << line));
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_ISR_OFF, 1), ==, 0);
	teardown();
	virtio_blk_destroy(vb);
}

static void test_legacy_blk(void)
{
	setup();
	avail_idx = 0;
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, false);
	io_w(IO_BASE + VIRTIO_PCI_STATUS, 1, 0);
	io_w(IO_BASE + VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	uint32_t f = (uint32_t)io_r(IO_BASE + VIRTIO_PCI_HOST_FEATURES, 4);
	g_assert_true(f & (1u << VIRTIO_BLK_F_FLUSH));
	io_w(IO_BASE + VIRTIO_PCI_GUEST_FEATURES, 4, f | 0x80000000u);
	/* Legacy: what was not offered is dropped. */
	g_assert_cmphex(io_r(IO_BASE + VIRTIO_PCI_GUEST_FEATURES, 4), ==, f);
	io_w(IO_BASE + VIRTIO_PCI_QUEUE_SEL, 2, 0);
	uint16_t num = (uint16_t)io_r(IO_BASE + VIRTIO_PCI_QUEUE_NUM, 2);
	g_assert_cmpuint(num, ==, VIRTIO_BLK_QUEUE_SIZE);
	/* Legacy ring: desc at the PFN, avail right after, used page aligned. */
	const uint64_t ring = 0x40000;
	io_w(IO_BASE + VIRTIO_PCI_QUEUE_PFN, 4, ring >> 12);
	g_assert_cmphex(io_r(IO_BASE + VIRTIO_PCI_QUEUE_PFN, 4), ==, ring >> 12);
	struct virtqueue *q = &vb->vdev.queues[0];
	g_assert_true(q->ready);
	g_assert_cmphex(q->avail_addr, ==, ring + 16 * num);
	g_assert_cmphex(q->used_addr, ==, (ring + 16 * num + 6 + 2 * num + 4095) & ~4095ULL);
	io_w(IO_BASE + VIRTIO_PCI_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	     VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(vb->vdev.legacy);
	g_assert_true(virtio_dev_live(&vb->vdev));
	/* A read request on the legacy ring. */
	struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = 0 };
	g_assert_true(guest_mem_write(&gm, DATA, &h, sizeof(h)));
	struct vring_desc d[3] = {
		{ DATA, sizeof(h), VRING_DESC_F_NEXT, 1 },
		{ DATA + 0x1000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 },
		{ DATA + 0x3000, 1, VRING_DESC_F_WRITE, 0 },
	};
	g_assert_true(guest_mem_write(&gm, ring, d, sizeof(d)));
	uint16_t idx = 1;
	g_assert_true(guest_mem_write(&gm, q->avail_addr + 2, &idx, 2));
	io_w(IO_BASE + VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);
	uint16_t used = 0;
	g_assert_true(guest_mem_read(&gm, q->used_addr + 2, &used, 2));
	g_assert_cmpuint(used, ==, 1);
	unsigned line = pci_intx_line(SLOT, 1);
	g_assert_true(line_levels & (1u << line));
	g_assert_cmpuint(io_r(IO_BASE + VIRTIO_PCI_ISR, 1), ==, 1);
	g_assert_false(line_levels & (1u << line));
	/* Notify of a queue that does not exist, wild PFN: no crash; the wild
	 * ring fails the device. */
	io_w(IO_BASE + VIRTIO_PCI_QUEUE_NOTIFY, 2, 9);
	io_w(IO_BASE + VIRTIO_PCI_QUEUE_PFN, 4, 0xfffff);
	g_assert_false(virtio_dev_live(&vb->vdev));
	teardown();
	virtio_blk_destroy(vb);
}

static void test_hostile_chain(void)
{
	setup();
	avail_idx = 0;
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, false);
	modern_init((1ULL << VIRTIO_F_VERSION_1), true);
	/* A request with no status byte (all readable). */
	put_desc(0, DATA, 16, 0, 0);
	uint16_t head = 0;
	g_assert_true(guest_mem_write(&gm, AVAIL + 4, &head, 2));
	avail_idx = 1;
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &avail_idx, 2));
	msi_count = 0;
	mm_w(MODERN_BASE + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	g_assert_true(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	g_assert_nonnull(strstr(vb->vdev.error, "status byte"));
	/* The driver hears about it on the config vector (0). */
	g_assert_cmpuint(msi_count, ==, 1);
	g_assert_cmphex(last_msi_data, ==, 0x40);
	/* Further kicks are ignored until reset. */
	uint64_t before = vb->requests;
	mm_w(MODERN_BASE + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	g_assert_cmpuint(vb->requests, ==, before);
	/* Reset, and the device works again (MSI-X table survives). */
	mm_w(MODERN_BASE + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	g_assert_cmpuint(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_STATUS, 1), ==, 0);
	g_assert_cmphex(mm_r(MSIX_BASE + 8, 4), ==, 0x40);
	memset(gm.base + AVAIL, 0, 0x2000);
	avail_idx = 0;
	modern_init((1ULL << VIRTIO_F_VERSION_1), true);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 0, 512, false), ==, VIRTIO_BLK_S_OK);
	/* A descriptor into the PCI hole / beyond RAM. */
	put_desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	put_desc(1, LAYOUT_PCI_HOLE_START - 8, 512, VRING_DESC_F_WRITE, 0);
	g_assert_true(guest_mem_write(&gm, AVAIL + 4 + 2, &head, 2));
	avail_idx++;
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &avail_idx, 2));
	mm_w(MODERN_BASE + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	g_assert_nonnull(strstr(vb->vdev.error, "not guest RAM"));
	teardown();
	virtio_blk_destroy(vb);
}

static void test_msix_masking(void)
{
	setup();
	avail_idx = 0;
	struct virtio_pci vp;
	struct virtio_blk *vb = make_blk(&vp, false);
	modern_init((1ULL << VIRTIO_F_VERSION_1), true);
	/* Mask vector 1: the interrupt stays pending in the PBA. */
	mm_w(MSIX_BASE + 16 + 12, 4, 1);
	msi_count = 0;
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 0, 512, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(msi_count, ==, 0);
	g_assert_cmphex(mm_r(MSIX_BASE + VIRTIO_PCI_PBA_OFF, 4), ==, 2);
	mm_w(MSIX_BASE + 16 + 12, 4, 0);
	g_assert_cmpuint(msi_count, ==, 1);
	g_assert_cmphex(last_msi_data, ==, 0x41);
	g_assert_cmphex(mm_r(MSIX_BASE + VIRTIO_PCI_PBA_OFF, 4), ==, 0);
	/* Function mask (control bit 14) too. */
	unsigned m = find_cap(0x11);
	cfg_w(m + 2, 2, 0xc000);
	g_assert_cmpuint(blk_req(VIRTIO_BLK_T_IN, 0, 512, false), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(msi_count, ==, 1);
	cfg_w(m + 2, 2, 0x8000);
	g_assert_cmpuint(msi_count, ==, 2);
	/* A vector beyond the table reads back as NO_VECTOR. */
	mm_w(MODERN_BASE + VIRTIO_PCI_COMMON_MSIX, 2, 5);
	g_assert_cmphex(mm_r(MODERN_BASE + VIRTIO_PCI_COMMON_MSIX, 2), ==, VIRTIO_MSI_NO_VECTOR);
	/* Table entries read back; unaligned or odd-size accesses are ignored. */
	mm_w(MSIX_BASE + 4, 4, 0x12345678);
	g_assert_cmphex(mm_r(MSIX_BASE + 4, 4), ==, 0x12345678);
	mm_w(MSIX_BASE + 2, 2, 0xffff);
	g_assert_cmphex(mm_r(MSIX_BASE, 4), ==, 0xfee00000);
	g_assert_cmphex(mm_r(MSIX_BASE + 0xff0, 4), ==, 0);
	teardown();
	virtio_blk_destroy(vb);
}

static void test_rng(void)
{
	setup();
	struct virtio_rng *vr = virtio_rng_create("virtio-rng0", &gm);
	struct virtio_pci vp;
	g_assert_true(virtio_pci_init(&vp, &vr->vdev, &router, NULL));
	g_assert_true(pci_register_device(host, &vp.pci, SLOT, NULL));
	map_bars();
	g_assert_cmphex(cfg_r(PCI_DEVICE_ID, 2), ==, 0x1005);
	g_assert_cmphex(cfg_r(PCI_SUBSYSTEM_ID, 2), ==, 4);
	modern_init(1ULL << VIRTIO_F_VERSION_1, false);
	put_desc(0, DATA, 64, VRING_DESC_F_WRITE, 0);
	uint16_t head = 0, idx = 1;
	g_assert_true(guest_mem_write(&gm, AVAIL + 4, &head, 2));
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &idx, 2));
	mm_w(MODERN_BASE + VIRTIO_PCI_NOTIFY_OFF, 2, 0);
	struct vring_used_elem e;
	g_assert_true(guest_mem_read(&gm, USED + 4, &e, sizeof(e)));
	g_assert_cmpuint(e.len, ==, 64);
	uint8_t zero[64] = { 0 };
	g_assert_true(memcmp(gm.base + DATA, zero, 64) != 0);
	teardown();
	virtio_rng_destroy(vr);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* Device failures are reported with g_warning; they are expected here. */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	g_assert_true(guest_mem_init(&gm, 3 * GiB + 16 * MiB, NULL));
	tmpdir = g_dir_make_tmp("tandem-vpci-XXXXXX", NULL);
	disk_path = g_build_filename(tmpdir, "disk.raw", NULL);
	g_test_add_func("/virtio-pci/config-layout", test_config_layout);
	g_test_add_func("/virtio-pci/modern-blk-msix", test_modern_blk);
	g_test_add_func("/virtio-pci/readonly-blk-intx", test_readonly_blk);
	g_test_add_func("/virtio-pci/legacy-blk", test_legacy_blk);
	g_test_add_func("/virtio-pci/hostile-chain", test_hostile_chain);
	g_test_add_func("/virtio-pci/msix-masking", test_msix_masking);
	g_test_add_func("/virtio-pci/rng", test_rng);
	int rc = g_test_run();
	unlink(disk_path);
	rmdir(tmpdir);
	guest_mem_destroy(&gm);
	return rc;
}
