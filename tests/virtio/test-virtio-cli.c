/* `tandem run` options for the virtio devices: --disk, --net, --rng,
 * --console2 -> struct machine_config, and the errors for bad values. */
#include "vmm/cli.h"

#include <string.h>

static bool parse(const char *const *args, struct machine_config *cfg, GError **err)
{
	GPtrArray *a = g_ptr_array_new();
	g_ptr_array_add(a, (gpointer) "run");
	g_ptr_array_add(a, (gpointer) "--kernel");
	g_ptr_array_add(a, (gpointer) "/vmlinuz");
	for (unsigned i = 0; args[i]; i++)
		g_ptr_array_add(a, (gpointer)args[i]);
	g_ptr_array_add(a, NULL);
	machine_config_init(cfg);
	bool ok = cli_parse_run((int)a->len - 1, (char **)a->pdata, cfg, err);
	g_ptr_array_free(a, TRUE);
	return ok;
}

static void test_good(void)
{
	struct machine_config cfg;
	const char *args[] = {
		"--disk", "/img/a.qcow2,format=qcow2,serial=ROOT1",
		"--disk", "/dev/sdb,readonly=on",
		"--net", "user,hostfwd=tcp::8080-:80,hostfwd=udp:127.0.0.1:5353-:53,restrict=on",
		"--net", "tap,ifname=tap0,bridge=br0,mac=52:54:00:aa:bb:cc",
		"--rng", "--console2", "file:/tmp/hvc0.log", NULL,
	};
	GError *err = NULL;
	g_assert_true(parse(args, &cfg, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(cfg.ndisks, ==, 2);
	g_assert_cmpstr(cfg.disks[0].path, ==, "/img/a.qcow2");
	g_assert_cmpint(cfg.disks[0].format, ==, DISK_FORMAT_QCOW2);
	g_assert_cmpstr(cfg.disks[0].serial, ==, "ROOT1");
	g_assert_false(cfg.disks[0].readonly);
	g_assert_cmpstr(cfg.disks[1].path, ==, "/dev/sdb");
	g_assert_cmpint(cfg.disks[1].format, ==, DISK_FORMAT_AUTO);
	g_assert_true(cfg.disks[1].readonly);
	g_assert_null(cfg.disks[1].serial);
	g_assert_cmpuint(cfg.nnics, ==, 2);
	g_assert_cmpint(cfg.nics[0].kind, ==, NIC_USER);
	g_assert_cmpuint(cfg.nics[0].nhostfwd, ==, 2);
	g_assert_cmpstr(cfg.nics[0].hostfwd[1], ==, "udp:127.0.0.1:5353-:53");
	g_assert_true(cfg.nics[0].restrict_net);
	g_assert_false(cfg.nics[0].mac_set);
	g_assert_cmpint(cfg.nics[1].kind, ==, NIC_TAP);
	g_assert_cmpstr(cfg.nics[1].ifname, ==, "tap0");
	g_assert_cmpstr(cfg.nics[1].bridge, ==, "br0");
	g_assert_true(cfg.nics[1].mac_set);
	g_assert_cmphex(cfg.nics[1].mac[5], ==, 0xcc);
	g_assert_true(cfg.rng);
	g_assert_cmpint(cfg.console2, ==, SERIAL_FILE);
	g_assert_cmpstr(cfg.console2_path, ==, "/tmp/hvc0.log");
	machine_config_clear(&cfg);
	g_assert_cmpuint(cfg.ndisks, ==, 0);
}

static void test_bad(void)
{
	static const struct { const char *opt, *val, *msg; } bad[] = {
		{ "--disk", "", "--disk" },
		{ "--disk", "a.img,format=vmdk", "format=raw or format=qcow2" },
		{ "--disk", "a.img,readonly=maybe", "expected on or off" },
		{ "--disk", "a.img,serial=123456789012345678901", "at most 20" },
		{ "--disk", "a.img,cache=none", "after the path" },
		{ "--net", "bridge", "user[,hostfwd" },
		{ "--net", "tap", "ifname=NAME" },
		{ "--net", "tap,hostfwd=tcp::1-:2", "ifname=, bridge=" },
		{ "--net", "user,mac=01:00:00:00:00:01", "unicast" },
		{ "--net", "user,ifname=x", "hostfwd=, restrict=" },
		{ "--console2", "stdio", "pty, none or file:PATH" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct machine_config cfg;
		const char *args[] = { bad[i].opt, bad[i].val, NULL };
		GError *err = NULL;
		g_assert_false(parse(args, &cfg, &err));
		if (!strstr(err->message, bad[i].msg))
			g_error("%s %s: '%s' does not mention '%s'", bad[i].opt, bad[i].val, err->message, bad[i].msg);
		g_clear_error(&err);
		machine_config_clear(&cfg);
	}
	/* Too many. */
	struct machine_config cfg;
	const char *many[2 * CONFIG_MAX_DISKS + 3];
	unsigned n = 0;
	for (unsigned i = 0; i <= CONFIG_MAX_DISKS; i++) {
		many[n++] = "--disk";
		many[n++] = "x.img";
	}
	many[n] = NULL;
	GError *err = NULL;
	g_assert_false(parse(many, &cfg, &err));
	g_assert_nonnull(strstr(err->message, "at most 8"));
	g_clear_error(&err);
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/virtio-cli/good", test_good);
	g_test_add_func("/virtio-cli/bad", test_bad);
	return g_test_run();
}
