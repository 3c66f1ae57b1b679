/* Virtqueue validation with hostile descriptor tables in a real guest_mem
 * (RAM split by the PCI hole), plus the device status/feature machine. */
#include "hw/virtio/virtio_dev.h"
#include "hw/virtio/virtqueue.h"
#include "vmm/layout.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <string.h>

#define QSZ 16
#define DESC 0x10000ULL
#define AVAIL 0x20000ULL
#define USED 0x30000ULL
#define BUF 0x100000ULL
#define ITABLE 0x40000ULL

static struct guest_mem gm;
static struct virtqueue vq;
static struct vq_chain chain;

static void setup(uint64_t features)
{
	memset(gm.base, 0, 1 * MiB);
	vq_init(&vq, &gm, 0, QSZ);
	vq.desc_addr = DESC;
	vq.avail_addr = AVAIL;
	vq.used_addr = USED;
	g_assert_true(vq_enable(&vq, features));
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };
	g_assert_true(guest_mem_write(&gm, table + 16ULL * i, &d, sizeof(d)));
}

/* Publishes `head` in the avail ring and bumps avail->idx by one. */
static void publish(uint16_t head)
{
	uint16_t idx;
	g_assert_true(guest_mem_read(&gm, AVAIL + 2, &idx, 2));
	g_assert_true(guest_mem_write(&gm, AVAIL + 4 + 2 * (idx % QSZ), &head, 2));
	idx++;
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &idx, 2));
}

static void expect_error(const char *substr)
{
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_ERROR);
	if (!strstr(vq.error, substr))
		g_error("error '%s' does not mention '%s'", vq.error, substr);
}

static void test_good_chain(void)
{
	setup(0);
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_EMPTY);
	const char msg[] = "hello";
	g_assert_true(guest_mem_write(&gm, BUF, msg, sizeof(msg)));
	put_desc(DESC, 3, BUF, 4, VRING_DESC_F_NEXT, 7);
	put_desc(DESC, 7, BUF + 4, 2, VRING_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF + 0x1000, 8, VRING_DESC_F_WRITE, 0);
	publish(3);
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_OK);
	g_assert_cmpuint(chain.head, ==, 3);
	g_assert_cmpuint(chain.n_out, ==, 2);
	g_assert_cmpuint(chain.n_in, ==, 1);
	g_assert_cmpuint(chain.out_len, ==, 6);
	g_assert_cmpuint(chain.in_len, ==, 8);
	char got[8] = { 0 };
	g_assert_cmpuint(vq_chain_read(&vq, &chain, 2, got, sizeof(got)), ==, 4);
	g_assert_cmpstr(got, ==, "llo");
	g_assert_cmpuint(vq_chain_write(&vq, &chain, 1, "abcdefghij", 10), ==, 7);
	char back[9] = { 0 };
	g_assert_true(guest_mem_read(&gm, BUF + 0x1000, back, 8));
	g_assert_cmpstr(back + 1, ==, "abcdefg");
	g_assert_true(vq_push(&vq, &chain, 100));  /* clamped to in_len */
	struct vring_used_elem e;
	uint16_t used_idx;
	g_assert_true(guest_mem_read(&gm, USED + 4, &e, sizeof(e)));
	g_assert_true(guest_mem_read(&gm, USED + 2, &used_idx, 2));
	g_assert_cmpuint(e.id, ==, 3);
	g_assert_cmpuint(e.len, ==, 8);
	g_assert_cmpuint(used_idx, ==, 1);
	g_assert_true(vq_should_notify(&vq));
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_EMPTY);
}

static void test_head_out_of_range(void)
{
	setup(0);
	publish(QSZ);
	expect_error("names head 16");
}

static void test_next_out_of_range(void)
{
	setup(0);
	put_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 999);
	publish(0);
	expect_error("index 999 out of range");
}

static void test_loop(void)
{
	setup(0);
	put_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
	publish(0);
	expect_error("loops");
	/* A self-loop too. */
	setup(0);
	put_desc(DESC, 5, BUF, 4, VRING_DESC_F_NEXT, 5);
	publish(5);
	expect_error("loops");
}

static void test_wrong_direction(void)
{
	setup(0);
	put_desc(DESC, 0, BUF, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(DESC, 1, BUF, 4, 0, 0);
	publish(0);
	expect_error("device-readable after a device-writable");
}

static void test_wild_addresses(void)
{
	static const struct { uint64_t addr; uint32_t len; } bad[] = {
		{ LAYOUT_PCI_HOLE_START - 8, 16 },   /* straddles the start of the hole */
		{ LAYOUT_PCI_HOLE_START, 4 },         /* inside the hole */
		{ LAYOUT_4G - 4, 8 },                 /* straddles the end of the hole */
		{ LAYOUT_4G + 64 * MiB - 4, 8 },      /* beyond high RAM */
		{ UINT64_MAX - 2, 8 },                /* wraps */
		{ 1ULL << 52, 1 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		setup(0);
		put_desc(DESC, 0, bad[i].addr, bad[i].len, 0, 0);
		publish(0);
		expect_error("is not guest RAM");
	}
	/* The edges themselves are fine. */
	setup(0);
	put_desc(DESC, 0, LAYOUT_PCI_HOLE_START - 8, 8, VRING_DESC_F_NEXT, 1);
	put_desc(DESC, 1, LAYOUT_4G, 8, VRING_DESC_F_WRITE, 0);
	publish(0);
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_OK);
	g_assert_cmpuint(vq_chain_write(&vq, &chain, 0, "12345678", 8), ==, 8);
}

static void test_avail_jump(void)
{
	setup(0);
	uint16_t idx = QSZ + 1;
	g_assert_true(guest_mem_write(&gm, AVAIL + 2, &idx, 2));
	expect_error("more than the queue size");
}

static void test_indirect(void)
{
	uint64_t f = 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	setup(f);
	put_desc(ITABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 2);
	put_desc(ITABLE, 2, BUF + 8, 4, VRING_DESC_F_WRITE, 0);
	put_desc(DESC, 4, ITABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(4);
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_OK);
	g_assert_cmpuint(chain.head, ==, 4);
	g_assert_cmpuint(chain.n_out, ==, 1);
	g_assert_cmpuint(chain.n_in, ==, 1);

	/* Not negotiated. */
	setup(0);
	put_desc(DESC, 4, ITABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(4);
	expect_error("not negotiated");

	/* Nested. */
	setup(f);
	put_desc(ITABLE, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
	put_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("nested");

	/* INDIRECT together with NEXT. */
	setup(f);
	put_desc(DESC, 0, ITABLE, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	publish(0);
	expect_error("also has NEXT");

	/* Indirect after a direct descriptor. */
	setup(f);
	put_desc(DESC, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
	put_desc(DESC, 1, ITABLE, 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("not the head");

	/* Bad sizes. */
	static const uint32_t bad_len[] = { 0, 8, 17, (VQ_MAX_SIZE + 1) * 16 };
	for (unsigned i = 0; i < G_N_ELEMENTS(bad_len); i++) {
		setup(f);
		put_desc(DESC, 0, ITABLE, bad_len[i], VRING_DESC_F_INDIRECT, 0);
		publish(0);
		g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_ERROR);
	}

	/* Table outside RAM / straddling the hole. */
	setup(f);
	put_desc(DESC, 0, LAYOUT_PCI_HOLE_START - 16, 32, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("indirect table");

	/* Loop inside the indirect table, index out of its range. */
	setup(f);
	put_desc(ITABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 1);
	put_desc(ITABLE, 1, BUF, 4, VRING_DESC_F_NEXT, 0);
	put_desc(DESC, 0, ITABLE, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("loops");
	setup(f);
	put_desc(ITABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 2);
	put_desc(DESC, 0, ITABLE, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("indirect table of 2");

	/* Wrong direction in an indirect table. */
	setup(f);
	put_desc(ITABLE, 0, BUF, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(ITABLE, 1, BUF, 4, 0, 0);
	put_desc(DESC, 0, ITABLE, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_error("device-readable after");
}

static void test_enable_validation(void)
{
	vq_init(&vq, &gm, 2, QSZ);
	vq.desc_addr = DESC;
	vq.avail_addr = AVAIL;
	vq.used_addr = USED;
	vq.size = 12;
	g_assert_false(vq_enable(&vq, 0));
	g_assert_nonnull(strstr(vq.error, "power of two"));
	vq.size = 32;  /* above the maximum */
	g_assert_false(vq_enable(&vq, 0));
	vq.size = 0;
	g_assert_false(vq_enable(&vq, 0));
	vq.size = QSZ;
	vq.desc_addr = DESC + 8;
	g_assert_false(vq_enable(&vq, 0));
	g_assert_nonnull(strstr(vq.error, "aligned"));
	vq.desc_addr = LAYOUT_PCI_HOLE_START - 16 * 8;
	g_assert_false(vq_enable(&vq, 0));
	g_assert_nonnull(strstr(vq.error, "not guest RAM"));
	vq.desc_addr = DESC;
	vq.used_addr = LAYOUT_4G + 64 * MiB - 8;
	g_assert_false(vq_enable(&vq, 0));
	vq.used_addr = USED + 2;
	g_assert_false(vq_enable(&vq, 0));
	vq.used_addr = USED;
	g_assert_true(vq_enable(&vq, 0));
	g_assert_true(vq.ready);
}

static void test_event_idx(void)
{
	setup(1ULL << VIRTIO_RING_F_EVENT_IDX);
	for (unsigned i = 0; i < 4; i++)
		put_desc(DESC, i, BUF, 4, VRING_DESC_F_WRITE, 0);
	/* used_event = 1: interrupt only when used idx passes 1 -> 2. */
	uint16_t used_event = 1;
	g_assert_true(guest_mem_write(&gm, AVAIL + 4 + 2 * QSZ, &used_event, 2));
	for (unsigned i = 0; i < 3; i++)
		publish(i);
	bool notified[3];
	for (unsigned i = 0; i < 3; i++) {
		g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_OK);
		/* avail_event follows our consumption. */
		uint16_t avail_event;
		g_assert_true(guest_mem_read(&gm, USED + 4 + 8 * QSZ, &avail_event, 2));
		g_assert_cmpuint(avail_event, ==, i + 1);
		g_assert_true(vq_push(&vq, &chain, 0));
		notified[i] = vq_should_notify(&vq);
	}
	g_assert_true(notified[0]);   /* the first one always (nothing signalled yet) */
	g_assert_true(notified[1]);   /* used idx 1 -> 2 crosses used_event 1 */
	g_assert_false(notified[2]);
	/* Nothing new pushed: no interrupt. */
	g_assert_false(vq_should_notify(&vq));
}

static void test_no_interrupt_flag(void)
{
	setup(0);
	put_desc(DESC, 0, BUF, 4, 0, 0);
	uint16_t flags = VRING_AVAIL_F_NO_INTERRUPT;
	g_assert_true(guest_mem_write(&gm, AVAIL, &flags, 2));
	publish(0);
	g_assert_cmpint(vq_pop(&vq, &chain), ==, VQ_POP_OK);
	g_assert_true(vq_push(&vq, &chain, 0));
	g_assert_false(vq_should_notify(&vq));
	vq_set_kick_suppression(&vq, true);
	uint16_t uflags;
	g_assert_true(guest_mem_read(&gm, USED, &uflags, 2));
	g_assert_cmpuint(uflags, ==, VRING_USED_F_NO_NOTIFY);
}

/* ---- device core ---- */

static unsigned notifies, irqs_cfg, irqs_q;

static void fake_notify(struct virtio_dev *d, unsigned q)
{
	(void)d;
	(void)q;
	notifies++;
}

static void fake_irq(void *t, struct virtio_dev *d, int which)
{
	(void)t;
	(void)d;
	if (which == VIRTIO_IRQ_CONFIG)
		irqs_cfg++;
	else
		irqs_q++;
}

static const struct virtio_dev_ops fake_ops = { .queue_notify = fake_notify };

static void dev_setup(struct virtio_dev *d)
{
	virtio_dev_init(d, "virtio-test", 4, 1ULL << 5, 1, QSZ, 8, &gm, &fake_ops, NULL);
	d->interrupt = fake_irq;
	notifies = irqs_cfg = irqs_q = 0;
}

static void test_features(void)
{
	struct virtio_dev d;
	dev_setup(&d);
	g_assert_cmphex(virtio_dev_host_features(&d, 1), ==, 1);  /* VERSION_1 */
	virtio_dev_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	/* A feature we never offered: FEATURES_OK stays clear. */
	virtio_dev_set_guest_features(&d, 0, 1u << 6);
	virtio_dev_set_guest_features(&d, 1, 1);
	virtio_dev_set_status(&d, d.status | VIRTIO_CONFIG_S_FEATURES_OK);
	g_assert_false(d.status & VIRTIO_CONFIG_S_FEATURES_OK);
	/* Without VERSION_1 on the modern interface: refused too. */
	virtio_dev_set_guest_features(&d, 0, 1u << 5);
	virtio_dev_set_guest_features(&d, 1, 0);
	virtio_dev_set_status(&d, d.status | VIRTIO_CONFIG_S_FEATURES_OK);
	g_assert_false(d.status & VIRTIO_CONFIG_S_FEATURES_OK);
	/* A valid set. */
	virtio_dev_set_guest_features(&d, 1, 1);
	virtio_dev_set_status(&d, d.status | VIRTIO_CONFIG_S_FEATURES_OK);
	g_assert_true(d.status & VIRTIO_CONFIG_S_FEATURES_OK);
	g_assert_true(virtio_dev_has(&d, 5));
	/* Features are frozen afterwards. */
	virtio_dev_set_guest_features(&d, 0, 0);
	g_assert_true(virtio_dev_has(&d, 5));
	virtio_dev_set_status(&d, d.status | VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(virtio_dev_live(&d));
	/* Reset clears everything. */
	virtio_dev_set_status(&d, 0);
	g_assert_cmpuint(d.status, ==, 0);
	g_assert_cmphex(d.guest_features, ==, 0);
	virtio_dev_destroy(&d);

	/* Legacy: 32 bits, masked to what is offered, no FEATURES_OK needed. */
	dev_setup(&d);
	d.legacy = true;
	virtio_dev_set_guest_features(&d, 0, 0xffffffff);
	g_assert_cmphex(d.guest_features, ==, (uint32_t)d.host_features);
	virtio_dev_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(virtio_dev_live(&d));
	virtio_dev_destroy(&d);
}

static void test_needs_reset(void)
{
	struct virtio_dev d;
	dev_setup(&d);
	/* DRIVER_OK without FEATURES_OK (modern) breaks the device. */
	virtio_dev_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(d.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	g_assert_cmpuint(irqs_cfg, ==, 1);
	g_assert_nonnull(strstr(d.error, "DRIVER_OK"));
	virtio_dev_set_status(&d, 0);
	g_assert_true(virtio_dev_live(&d));

	/* A hostile ring: the device fails and stops processing. */
	virtio_dev_set_guest_features(&d, 1, 1);
	virtio_dev_set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	d.queues[0].desc_addr = LAYOUT_PCI_HOLE_START;
	d.queues[0].avail_addr = AVAIL;
	d.queues[0].used_addr = USED;
	g_assert_false(virtio_dev_queue_enable(&d, 0));
	g_assert_true(d.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	virtio_dev_set_status(&d, d.status | VIRTIO_CONFIG_S_DRIVER_OK);
	/* The driver cannot clear NEEDS_RESET by writing status. */
	virtio_dev_set_status(&d, VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(d.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	virtio_dev_queue_notify(&d, 0);
	virtio_dev_queue_notify(&d, 77);
	g_assert_cmpuint(notifies, ==, 0);
	virtio_dev_destroy(&d);
}

static void test_config_space(void)
{
	struct virtio_dev d;
	dev_setup(&d);
	uint8_t v[4] = { 1, 2, 3, 4 };
	virtio_dev_config_write(&d, 4, v, 4);
	virtio_dev_config_write(&d, 6, v, 4);  /* crosses the end: dropped */
	uint8_t r[4];
	virtio_dev_config_read(&d, 6, r, 4);
	g_assert_cmpuint(r[0], ==, 3);
	g_assert_cmpuint(r[1], ==, 4);
	g_assert_cmpuint(r[2], ==, 0);
	virtio_dev_config_read(&d, 0xfffffffe, r, 4);
	g_assert_cmpuint(r[0] | r[1] | r[2] | r[3], ==, 0);
	virtio_dev_destroy(&d);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	g_log_set_fatal_mask("GLib", G_LOG_LEVEL_CRITICAL);
	g_assert_true(guest_mem_init(&gm, 3 * GiB + 64 * MiB, NULL));
	g_test_add_func("/virtqueue/good-chain", test_good_chain);
	g_test_add_func("/virtqueue/head-out-of-range", test_head_out_of_range);
	g_test_add_func("/virtqueue/next-out-of-range", test_next_out_of_range);
	g_test_add_func("/virtqueue/loop", test_loop);
	g_test_add_func("/virtqueue/wrong-direction", test_wrong_direction);
	g_test_add_func("/virtqueue/wild-addresses", test_wild_addresses);
	g_test_add_func("/virtqueue/avail-jump", test_avail_jump);
	g_test_add_func("/virtqueue/indirect", test_indirect);
	g_test_add_func("/virtqueue/enable-validation", test_enable_validation);
	g_test_add_func("/virtqueue/event-idx", test_event_idx);
	g_test_add_func("/virtqueue/no-interrupt-flag", test_no_interrupt_flag);
	g_test_add_func("/virtio-dev/features", test_features);
	g_test_add_func("/virtio-dev/needs-reset", test_needs_reset);
	g_test_add_func("/virtio-dev/config-space", test_config_space);
	int rc = g_test_run();
	guest_mem_destroy(&gm);
	return rc;
}
