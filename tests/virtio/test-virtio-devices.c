/* virtio_devices: the machine's virtio functions built from a
 * machine_config (disks raw + qcow2, user-mode NIC with a port forward,
 * rng, console2 to a file), their PCI slots and IDs, start of I/O, reset,
 * and the errors a user sees for a bad configuration. */
#include "hw/pci.h"
#include "hw/virtio/virtio_devices.h"
#include "vmm/layout.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct guest_mem gm;
static char *tmpdir;

static void noirq(void *o, unsigned l, bool v) { (void)o; (void)l; (void)v; }

static char *mkfile(const char *name, size_t size)
{
	char *p = g_build_filename(tmpdir, name, NULL);
	int fd = open(p, O_CREAT | O_TRUNC | O_RDWR, 0600);
	g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
	close(fd);
	return p;
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

static void test_all(void)
{
	struct bus pio, mmio;
	struct irq_router irq;
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	irq_router_init(&irq, noirq, NULL);
	struct pci_host *host = pci_host_create(&pio, &mmio, &irq);

	struct machine_config cfg;
	machine_config_init(&cfg);
	cfg.disks[0].path = mkfile("a.raw", 1 << 20);
	cfg.disks[0].serial = g_strdup("RAW0");
	g_autofree char *q = g_build_filename(tmpdir, "b.qcow2", NULL);
	g_autofree char *qi = g_find_program_in_path("qemu-img");
	cfg.ndisks = 1;
	if (qi) {
		const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", q, "4M", NULL };
		gint status;
		g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
					   &status, NULL));
		cfg.disks[1].path = g_strdup(q);
		cfg.disks[1].readonly = true;
		cfg.ndisks = 2;
	}
	cfg.nnics = 1;
	cfg.nics[0].kind = NIC_USER;
	cfg.nics[0].hostfwd[0] = g_strdup_printf("tcp:127.0.0.1:%u-:22", free_port());
	cfg.nics[0].nhostfwd = 1;
	cfg.rng = true;
	cfg.console2 = SERIAL_FILE;
	cfg.console2_path = g_build_filename(tmpdir, "hvc0.log", NULL);

	struct virtio_devices_params p = { .cfg = &cfg, .mem = &gm, .pci = host, .irq = &irq, .first_slot = 1 };
	GError *err = NULL;
	struct virtio_devices *v = virtio_devices_create(&p, &err);
	g_assert_no_error(err);
	unsigned n = cfg.ndisks + 3;
	g_assert_cmpuint(virtio_devices_count(v), ==, n);
	static const uint16_t ids[] = { 0x1001, 0x1001, 0x1000, 0x1005, 0x1003 };
	const uint16_t *want = cfg.ndisks == 2 ? ids : ids + 1;
	for (unsigned s = 0; s < n; s++) {
		g_assert_cmphex(pci_config_read(host, 0, 1 + s, 0, PCI_VENDOR_ID, 2), ==, 0x1af4);
		g_assert_cmphex(pci_config_read(host, 0, 1 + s, 0, PCI_DEVICE_ID, 2), ==, want[s]);
	}
	g_assert_cmphex(pci_config_read(host, 0, 1 + n, 0, PCI_VENDOR_ID, 2), ==, 0xffff);
	g_assert_null(virtio_devices_console2_pty(v));

	GMainContext *ctx = g_main_context_new();
	g_assert_true(virtio_devices_start_io(v, ctx, NULL, &err));
	g_assert_no_error(err);
	g_main_context_iteration(ctx, FALSE);
	virtio_devices_reset(v);
	pci_host_destroy(host);
	virtio_devices_destroy(v);
	g_main_context_unref(ctx);
	machine_config_clear(&cfg);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

static void expect_error(struct machine_config *cfg, bool start_io, const char *msg)
{
	struct bus pio, mmio;
	struct irq_router irq;
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	irq_router_init(&irq, noirq, NULL);
	struct pci_host *host = pci_host_create(&pio, &mmio, &irq);
	struct virtio_devices_params p = { .cfg = cfg, .mem = &gm, .pci = host, .irq = &irq, .first_slot = 1 };
	GError *err = NULL;
	struct virtio_devices *v = virtio_devices_create(&p, &err);
	if (start_io && v) {
		g_assert_false(virtio_devices_start_io(v, NULL, NULL, &err));
	} else {
		g_assert_null(v);
	}
	if (!strstr(err->message, msg))
		g_error("'%s' does not mention '%s'", err->message, msg);
	g_clear_error(&err);
	pci_host_destroy(host);
	virtio_devices_destroy(v);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

static void test_errors(void)
{
	struct machine_config cfg;
	machine_config_init(&cfg);
	cfg.disks[0].path = g_strdup("/nonexistent/disk.img");
	cfg.ndisks = 1;
	expect_error(&cfg, false, "/nonexistent/disk.img");
	machine_config_clear(&cfg);

	cfg.disks[0].path = mkfile("notqcow.raw", 4096);
	cfg.disks[0].format = DISK_FORMAT_QCOW2;
	cfg.ndisks = 1;
	expect_error(&cfg, false, "bad magic");
	machine_config_clear(&cfg);

	cfg.nics[0].kind = NIC_USER;
	cfg.nics[0].hostfwd[0] = g_strdup("tcp::99999-:22");
	cfg.nics[0].nhostfwd = 1;
	cfg.nnics = 1;
	expect_error(&cfg, false, "hostfwd 'tcp::99999-:22'");
	machine_config_clear(&cfg);

	/* A slot range that runs past the 32 PCI slots. */
	for (unsigned i = 0; i < CONFIG_MAX_DISKS; i++) {
		cfg.disks[i].path = mkfile("d.raw", 4096);
		cfg.ndisks++;
	}
	struct bus pio, mmio;
	struct irq_router irq;
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	irq_router_init(&irq, noirq, NULL);
	struct pci_host *host = pci_host_create(&pio, &mmio, &irq);
	struct virtio_devices_params p = { .cfg = &cfg, .mem = &gm, .pci = host, .irq = &irq, .first_slot = 28 };
	GError *err = NULL;
	g_assert_null(virtio_devices_create(&p, &err));
	g_assert_nonnull(err);
	g_clear_error(&err);
	pci_host_destroy(host);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(guest_mem_init(&gm, 16 * MiB, NULL));
	tmpdir = g_dir_make_tmp("tandem-vdev-XXXXXX", NULL);
	g_test_add_func("/virtio-devices/all", test_all);
	g_test_add_func("/virtio-devices/errors", test_errors);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	g_assert_cmpint(system(cmd), ==, 0);
	guest_mem_destroy(&gm);
	return rc;
}
