/* virtio-net (fake backend, then libslirp: ARP to the virtual host and a
 * host port forward reaching the guest), hostfwd parsing, tap errors, and
 * virtio-console (transmit, receive, emergency write). The queues are set
 * up through the transport-independent core; test-virtio-pci covers the
 * PCI side. */
#include "hw/virtio/net/net_backend.h"
#include "hw/virtio/virtio_console.h"
#include "hw/virtio/virtio_net.h"
#include "vmm/layout.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define QSZ 16

static struct guest_mem gm;

/* Ring of queue q lives at 0x10000 * (q + 1); buffers at 0x100000 + ... */
static uint64_t ring_base(unsigned q) { return 0x10000ULL * (q + 1); }
static uint16_t avail_idx[2];

static void bring_up(struct virtio_dev *d)
{
	memset(gm.base, 0, 2 * MiB);
	memset(avail_idx, 0, sizeof(avail_idx));
	virtio_dev_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	virtio_dev_set_guest_features(d, 0, (uint32_t)d->host_features);
	virtio_dev_set_guest_features(d, 1, (uint32_t)(d->host_features >> 32));
	virtio_dev_set_status(d, d->status | VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < d->num_queues; q++) {
		struct virtqueue *vq = &d->queues[q];
		vq->size = QSZ;
		vq->desc_addr = ring_base(q);
		vq->avail_addr = ring_base(q) + 0x1000;
		vq->used_addr = ring_base(q) + 0x2000;
		g_assert_true(virtio_dev_queue_enable(d, q));
	}
	virtio_dev_set_status(d, d->status | VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_true(virtio_dev_live(d));
}

/* Posts one single-descriptor buffer on queue q (slot = avail index). */
static void post(struct virtio_dev *d, unsigned q, uint64_t addr, uint32_t len, bool writable)
{
	uint16_t slot = avail_idx[q] % QSZ;
	struct vring_desc desc = { .addr = addr, .len = len, .flags = writable ? VRING_DESC_F_WRITE : 0 };
	g_assert_true(guest_mem_write(&gm, ring_base(q) + 16 * slot, &desc, sizeof(desc)));
	g_assert_true(guest_mem_write(&gm, ring_base(q) + 0x1000 + 4 + 2 * slot, &slot, 2));
	avail_idx[q]++;
	g_assert_true(guest_mem_write(&gm, ring_base(q) + 0x1000 + 2, &avail_idx[q], 2));
	(void)d;
}

static struct vring_used_elem used_elem(unsigned q, unsigned i)
{
	struct vring_used_elem e;
	g_assert_true(guest_mem_read(&gm, ring_base(q) + 0x2000 + 4 + 8 * i, &e, sizeof(e)));
	return e;
}

static uint16_t used_idx(unsigned q)
{
	uint16_t v;
	g_assert_true(guest_mem_read(&gm, ring_base(q) + 0x2000 + 2, &v, 2));
	return v;
}

/* ---- fake backend ---- */

static GByteArray *sent;
static bool echo;

static void fake_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	g_byte_array_append(sent, frame, (guint)len);
	/* Like slirp answering ARP: a frame comes back during the send. */
	if (echo)
		nb->rx(nb->rx_opaque, frame, len);
}

static void fake_close(struct net_backend *nb) { g_free(nb); }

static void test_net_fake(void)
{
	struct net_backend *be = g_new0(struct net_backend, 1);
	be->send = fake_send;
	be->close = fake_close;
	sent = g_byte_array_new();
	uint8_t mac[6];
	g_assert_true(virtio_net_parse_mac("52:54:00:12:34:56", mac));
	struct virtio_net *vn = virtio_net_create("virtio-net0", mac, be, &gm);
	g_assert_cmpmem(vn->vdev.config, 6, mac, 6);
	/* A frame arriving before DRIVER_OK is dropped. */
	be->rx(be->rx_opaque, (const uint8_t *)"x", 1);
	g_assert_cmpuint(vn->rx_dropped, ==, 1);
	bring_up(&vn->vdev);
	/* Transmit: the 12-byte header is stripped. */
	uint8_t pkt[12 + 60] = { 0 };
	for (unsigned i = 0; i < 60; i++)
		pkt[12 + i] = (uint8_t)i;
	g_assert_true(guest_mem_write(&gm, 0x100000, pkt, sizeof(pkt)));
	post(&vn->vdev, 1, 0x100000, sizeof(pkt), false);
	virtio_dev_queue_notify(&vn->vdev, 1);
	g_assert_cmpuint(sent->len, ==, 60);
	g_assert_cmpmem(sent->data, 60, pkt + 12, 60);
	/* Receive into a posted buffer: header with num_buffers 1, then the frame. */
	post(&vn->vdev, 0, 0x110000, 1526, true);
	post(&vn->vdev, 0, 0x120000, 20, true);
	be->rx(be->rx_opaque, pkt + 12, 60);
	g_assert_cmpuint(used_idx(0), ==, 1);
	g_assert_cmpuint(used_elem(0, 0).len, ==, 72);
	struct virtio_net_hdr_v1 h;
	g_assert_true(guest_mem_read(&gm, 0x110000, &h, sizeof(h)));
	g_assert_cmpuint(h.num_buffers, ==, 1);
	g_assert_cmpmem(gm.base + 0x110000 + 12, 60, pkt + 12, 60);
	/* Too big for the next buffer: dropped, buffer returned empty. */
	be->rx(be->rx_opaque, pkt + 12, 60);
	g_assert_cmpuint(used_idx(0), ==, 2);
	g_assert_cmpuint(used_elem(0, 1).len, ==, 0);
	/* No buffer at all: dropped. */
	be->rx(be->rx_opaque, pkt + 12, 60);
	g_assert_cmpuint(vn->rx_dropped, ==, 3);
	g_assert_cmpuint(vn->rx_frames, ==, 1);
	/* A reply delivered synchronously while transmitting: both queues get
	 * their own head back (a shared chain once returned the rx head on tx). */
	echo = true;
	post(&vn->vdev, 0, 0x130000, 1526, true);
	post(&vn->vdev, 1, 0x100000, sizeof(pkt), false);
	virtio_dev_queue_notify(&vn->vdev, 1);
	echo = false;
	g_assert_cmpuint(used_idx(1), ==, 2);
	g_assert_cmpuint(used_elem(1, 1).id, ==, 1);   /* the tx head */
	g_assert_cmpuint(used_idx(0), ==, 3);
	g_assert_cmpuint(used_elem(0, 2).id, ==, 2);   /* the rx head */
	g_assert_cmpuint(used_elem(0, 2).len, ==, 72);
	virtio_net_destroy(vn);
	g_byte_array_unref(sent);
}

static void test_parse(void)
{
	struct net_hostfwd f;
	g_assert_true(net_parse_hostfwd("tcp::8080-:80", &f, NULL));
	g_assert_false(f.udp);
	g_assert_cmpuint(f.host_port, ==, 8080);
	g_assert_cmpuint(f.guest_port, ==, 80);
	g_assert_cmpuint(f.host_addr, ==, 0);
	g_assert_true(net_parse_hostfwd("udp:127.0.0.1:5353-:53", &f, NULL));
	g_assert_true(f.udp);
	g_assert_cmpuint(f.host_addr, ==, htonl(0x7f000001));
	static const char *bad[] = { "", "tcp:8080-:80", "tcp::0-:80", "tcp::8080-:70000", "sctp::1-:2",
				     "tcp::1-10.0.2.15:2", "tcp:300.1.1.1:1-:2", "tcp::1:2-:3", "tcp::80" };
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;
		g_assert_false(net_parse_hostfwd(bad[i], &f, &err));
		g_assert_nonnull(strstr(err->message, "expected"));
		g_clear_error(&err);
	}
	uint8_t mac[6];
	g_assert_false(virtio_net_parse_mac("01:00:5e:00:00:01", mac));  /* multicast */
	g_assert_false(virtio_net_parse_mac("52:54:00:12:34", mac));
	g_assert_false(virtio_net_parse_mac("52:54:00:12:34:56:", mac));
}

static uint16_t free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	g_assert_cmpint(bind(s, (struct sockaddr *)&a, sizeof(a)), ==, 0);
	g_assert_cmpint(getsockname(s, (struct sockaddr *)&a, &l), ==, 0);
	close(s);
	return ntohs(a.sin_port);
}

/* Frames the guest received on rx buffer i (after the 12-byte header). */
static const uint8_t *rx_frame(unsigned i) { return gm.base + 0x110000 + 0x1000 * i + 12; }

static void test_slirp(void)
{
	GMainContext *ctx = g_main_context_new();
	struct net_hostfwd fwd = { .udp = false, .host_addr = htonl(INADDR_LOOPBACK), .host_port = free_port(),
				   .guest_port = 22 };
	GError *err = NULL;
	struct net_backend *be = net_slirp_create(&fwd, 1, false, ctx, NULL, &err);
	g_assert_no_error(err);
	const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct virtio_net *vn = virtio_net_create("virtio-net0", mac, be, &gm);
	bring_up(&vn->vdev);
	for (unsigned i = 0; i < 8; i++)
		post(&vn->vdev, 0, 0x110000 + 0x1000 * i, 0x1000, true);

	/* ARP: who has 10.0.2.2? tell 10.0.2.15 */
	uint8_t arp[12 + 42] = { 0 };
	uint8_t *e = arp + 12;
	memset(e, 0xff, 6);
	memcpy(e + 6, mac, 6);
	e[12] = 0x08, e[13] = 0x06;
	const uint8_t arp_hdr[] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	memcpy(e + 14, arp_hdr, 8);
	memcpy(e + 22, mac, 6);
	const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, host_ip[4] = { 10, 0, 2, 2 };
	memcpy(e + 28, guest_ip, 4);
	memcpy(e + 38, host_ip, 4);
	g_assert_true(guest_mem_write(&gm, 0x100000, arp, sizeof(arp)));
	post(&vn->vdev, 1, 0x100000, sizeof(arp), false);
	virtio_dev_queue_notify(&vn->vdev, 1);
	for (int i = 0; i < 20 && vn->rx_frames == 0; i++)
		g_main_context_iteration(ctx, FALSE);
	g_assert_cmpuint(vn->rx_frames, >=, 1);
	const uint8_t *r = rx_frame(0);
	g_assert_cmpuint(r[12], ==, 0x08);
	g_assert_cmpuint(r[13], ==, 0x06);
	g_assert_cmpuint(r[21], ==, 2);                  /* ARP reply */
	g_assert_cmpmem(r + 28, 4, host_ip, 4);          /* sender 10.0.2.2 */
	g_assert_cmpmem(r, 6, mac, 6);

	/* A host connection to the forwarded port reaches the guest as a SYN
	 * to 10.0.2.15:22. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(fwd.host_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	connect(s, (struct sockaddr *)&a, sizeof(a));
	uint64_t before = vn->rx_frames;
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (vn->rx_frames == before && g_get_monotonic_time() < deadline)
		g_main_context_iteration(ctx, FALSE), g_usleep(1000);
	g_assert_cmpuint(vn->rx_frames, >, before);
	r = rx_frame((unsigned)before);
	g_assert_cmpuint(r[12], ==, 0x08);
	g_assert_cmpuint(r[13], ==, 0x00);               /* IPv4 */
	g_assert_cmpuint(r[14 + 9], ==, 6);              /* TCP */
	g_assert_cmpmem(r + 14 + 16, 4, guest_ip, 4);
	const uint8_t *tcp = r + 14 + (r[14] & 0xf) * 4;
	g_assert_cmpuint((tcp[2] << 8) | tcp[3], ==, 22);
	g_assert_true(tcp[13] & 0x02);                   /* SYN */
	close(s);
	virtio_net_destroy(vn);
	g_main_context_unref(ctx);
}

static void test_hostfwd_in_use(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	g_assert_cmpint(bind(s, (struct sockaddr *)&a, sizeof(a)), ==, 0);
	g_assert_cmpint(listen(s, 1), ==, 0);
	g_assert_cmpint(getsockname(s, (struct sockaddr *)&a, &l), ==, 0);
	struct net_hostfwd fwd = { .host_addr = htonl(INADDR_LOOPBACK), .host_port = ntohs(a.sin_port),
				   .guest_port = 80 };
	GError *err = NULL;
	g_assert_null(net_slirp_create(&fwd, 1, false, NULL, NULL, &err));
	g_assert_nonnull(strstr(err->message, "cannot forward host TCP port"));
	g_clear_error(&err);
	close(s);
}

static void test_tap_errors(void)
{
	GError *err = NULL;
	g_assert_null(net_tap_create("a-name-that-is-far-too-long", NULL, NULL, NULL, &err));
	g_assert_nonnull(strstr(err->message, "longer than"));
	g_clear_error(&err);
	struct net_backend *be = net_tap_create("tandemtst%d", NULL, NULL, NULL, &err);
	if (!be) {
		/* No CAP_NET_ADMIN or no /dev/net/tun here: the message says why. */
		g_assert_nonnull(strstr(err->message, "tap tandemtst%d"));
		g_clear_error(&err);
		g_test_skip("cannot create tap devices here");
		return;
	}
	net_backend_close(be);
}

/* ---- console ---- */

static GString *console_out;

static void console_write(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	g_string_append_len(console_out, (const char *)buf, (gssize)len);
}

static void test_console(void)
{
	console_out = g_string_new(NULL);
	struct virtio_console_backend be = { .write = console_write };
	struct virtio_console *vc = virtio_console_create("virtio-console0", &be, &gm);
	g_assert_cmpuint(vc->vdev.num_queues, ==, 2);
	bring_up(&vc->vdev);
	/* Guest output. */
	g_assert_true(guest_mem_write(&gm, 0x100000, "hello hvc0\n", 11));
	post(&vc->vdev, 1, 0x100000, 11, false);
	virtio_dev_queue_notify(&vc->vdev, 1);
	g_assert_cmpstr(console_out->str, ==, "hello hvc0\n");
	/* Host input: nothing posted yet. */
	g_assert_false(virtio_console_can_receive(vc));
	g_assert_cmpuint(virtio_console_receive(vc, (const uint8_t *)"ls\n", 3), ==, 0);
	post(&vc->vdev, 0, 0x110000, 2, true);
	post(&vc->vdev, 0, 0x111000, 64, true);
	g_assert_true(virtio_console_can_receive(vc));
	g_assert_cmpuint(virtio_console_receive(vc, (const uint8_t *)"ls\n", 3), ==, 3);
	g_assert_cmpmem(gm.base + 0x110000, 2, "ls", 2);
	g_assert_cmpmem(gm.base + 0x111000, 1, "\n", 1);
	g_assert_cmpuint(used_elem(0, 0).len, ==, 2);
	g_assert_cmpuint(used_elem(0, 1).len, ==, 1);
	/* Emergency write (negotiated by bring_up). */
	uint32_t ch = 'Z';
	virtio_dev_config_write(&vc->vdev, offsetof(struct virtio_console_config, emerg_wr), &ch, 4);
	g_assert_cmpstr(console_out->str, ==, "hello hvc0\nZ");
	/* A wild buffer fails the device; input is refused afterwards. */
	post(&vc->vdev, 1, LAYOUT_4G + 4096, 16, false);
	virtio_dev_queue_notify(&vc->vdev, 1);
	g_assert_false(virtio_dev_live(&vc->vdev));
	g_assert_false(virtio_console_can_receive(vc));
	virtio_console_destroy(vc);
	g_string_free(console_out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	g_assert_true(guest_mem_init(&gm, 64 * MiB, NULL));
	g_test_add_func("/virtio-net/fake-backend", test_net_fake);
	g_test_add_func("/virtio-net/parse", test_parse);
	g_test_add_func("/virtio-net/slirp-arp-and-hostfwd", test_slirp);
	g_test_add_func("/virtio-net/hostfwd-port-in-use", test_hostfwd_in_use);
	g_test_add_func("/virtio-net/tap-errors", test_tap_errors);
	g_test_add_func("/virtio-console/tx-rx-emergency", test_console);
	int rc = g_test_run();
	guest_mem_destroy(&gm);
	return rc;
}
