/* Tests of domain_config.c: definition -> machine_config -> `tandem run`
 * argv (parsed back with src/vmm/cli.c), and the examples/xml files. */
#include "conf-test-util.h"
#include "vmm/cli.h"

/* --- machine configuration and argv ---------------------------------- */
static void test_to_config(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_to_config(d, &cfg, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(cfg.name, ==, "t1");
	g_assert_cmpstr(cfg.uuid, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	g_assert_cmpstr(cfg.kernel, ==, "/boot/vmlinuz");
	g_assert_cmpstr(cfg.initrd, ==, "/boot/initrd.img");
	g_assert_cmpstr(cfg.cmdline, ==, "console=ttyS0 quiet");
	g_assert_cmpuint(cfg.memory, ==, 256ULL << 20);
	g_assert_cmpuint(cfg.cpus, ==, 1);
	g_assert_cmpint(cfg.accel, ==, ACCEL_EMU);
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);
	g_assert_true(cfg.acpi);
	g_assert_false(cfg.no_reboot);
	machine_config_clear(&cfg);

	g_autoptr(domain_def) k = parse_ok(
		"<domain type='kvm'><name>k</name><memory unit='GiB'>3</memory><vcpu>4</vcpu>"
		"<os><type>hvm</type><kernel>/k</kernel></os><on_reboot>destroy</on_reboot>"
		"<devices><serial type='file'><source path='/tmp/k.log'/></serial></devices></domain>", 0);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(k, &cfg, NULL));
	g_assert_cmpint(cfg.accel, ==, ACCEL_KVM);
	g_assert_cmpuint(cfg.memory, ==, 3ULL << 30);
	g_assert_cmpuint(cfg.cpus, ==, 4);
	g_assert_null(cfg.initrd);
	g_assert_null(cfg.cmdline);
	g_assert_false(cfg.acpi); /* no <acpi/> */
	g_assert_true(cfg.no_reboot);
	g_assert_cmpint(cfg.serial, ==, SERIAL_FILE);
	g_assert_cmpstr(cfg.serial_path, ==, "/tmp/k.log");
	machine_config_clear(&cfg);

	g_autoptr(domain_def) n = parse_ok(
		"<domain type='qemu'><name>n</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os></domain>", 0);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(n, &cfg, NULL));
	g_assert_cmpint(cfg.serial, ==, SERIAL_NONE);
	g_assert_cmpuint(cfg.memory, ==, 64ULL << 20);
	machine_config_clear(&cfg);
}

static void argv_round_trip(const struct machine_config *in)
{
	g_auto(GStrv) argv = machine_config_to_argv(in, "/opt/tandem");
	g_assert_cmpstr(argv[0], ==, "/opt/tandem");
	g_assert_cmpstr(argv[1], ==, "run");
	g_autofree char *joined = g_strjoinv(" ", argv);
	g_test_message("argv: %s", joined);
	struct machine_config out;
	machine_config_init(&out);
	g_autoptr(GError) err = NULL;
	/* getopt may permute argv: parse a copy */
	g_auto(GStrv) copy = g_strdupv(argv);
	int argc = (int)g_strv_length(copy);
	g_assert_true(cli_parse_run(argc - 1, copy + 1, &out, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(out.name, ==, in->name);
	g_assert_cmpstr(out.kernel, ==, in->kernel);
	g_assert_cmpstr(out.initrd, ==, in->initrd);
	g_assert_cmpstr(out.cmdline, ==, in->cmdline);
	g_assert_cmpuint(out.memory, ==, in->memory);
	g_assert_cmpuint(out.cpus, ==, in->cpus);
	g_assert_cmpint(out.accel, ==, in->accel);
	g_assert_cmpint(out.serial, ==, in->serial);
	if (in->serial == SERIAL_FILE)
		g_assert_cmpstr(out.serial_path, ==, in->serial_path);
	g_assert_cmpint(out.clock, ==, in->clock);
	g_assert_cmpint(out.decompress, ==, in->decompress);
	g_assert_cmpint(out.acpi, ==, in->acpi);
	g_assert_cmpint(out.no_reboot, ==, in->no_reboot);
	g_assert_cmpstr(out.control_socket, ==, in->control_socket);
	g_assert_cmpstr(out.pidfile, ==, in->pidfile);
	g_assert_cmpint(out.start_paused, ==, in->start_paused);
	g_assert_cmpint(out.stats, ==, in->stats);
	machine_config_clear(&out);
}

static void test_argv(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(d, &cfg, NULL));
	argv_round_trip(&cfg);
	g_auto(GStrv) argv = machine_config_to_argv(&cfg, NULL);
	g_autofree char *joined = g_strjoinv(" ", argv);
	g_assert_cmpstr(joined, ==,
			DOMAIN_DEFAULT_EMULATOR " run --name t1 --kernel /boot/vmlinuz --initrd /boot/initrd.img "
			"--append console=ttyS0 quiet --memory 262144K --cpus 1 --accel emu --serial pty");

	/* everything else the CLI can express */
	cfg.accel = ACCEL_KVM;
	cfg.serial = SERIAL_FILE;
	g_free(cfg.serial_path);
	cfg.serial_path = g_strdup("/var/log/t1 serial.log");
	cfg.clock = GUEST_CLOCK_DETERMINISTIC;
	cfg.decompress = DECOMPRESS_HOST;
	cfg.acpi = false;
	cfg.no_reboot = true;
	cfg.control_socket = g_strdup("/run/tandem/t1.ctl");
	cfg.pidfile = g_strdup("/run/tandem/t1.pid");
	cfg.start_paused = true;
	cfg.stats = true;
	cfg.memory = (5ULL << 20) + 512;
	cfg.cpus = 8;
	argv_round_trip(&cfg);
	cfg.serial = SERIAL_NONE;
	cfg.decompress = DECOMPRESS_GUEST;
	g_clear_pointer(&cfg.initrd, g_free);
	g_clear_pointer(&cfg.cmdline, g_free);
	argv_round_trip(&cfg);
	cfg.serial = SERIAL_STDIO;
	argv_round_trip(&cfg);
	machine_config_clear(&cfg);
}

/* --- examples/xml -------------------------------------------------------- */
static struct domain_def *parse_example(const char *name)
{
	g_autofree char *path = g_build_filename(TANDEM_SRCDIR, "examples", "xml", name, NULL);
	g_autoptr(GError) err = NULL;
	struct domain_def *d = domain_def_parse_file(path, DOMAIN_DEF_PARSE_VALIDATE, &err);
	g_assert_no_error(err);
	g_assert_nonnull(d);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_valid(x);
	struct domain_live live = { .id = 3, .serial_pty = "/dev/pts/0" };
	g_autofree char *lx = domain_def_format(d, &live, 0);
	assert_valid(lx);
	return d;
}

static void test_examples(void)
{
	g_autoptr(domain_def) emu = parse_example("minimal-emu.xml");
	g_autoptr(domain_def) kvm = parse_example("minimal-kvm.xml");
	g_autoptr(domain_def) dn = parse_example("disk-net.xml");
	g_autoptr(domain_def) nw = parse_example("network.xml");
	g_autoptr(GError) nerr = NULL;
	g_assert_true(domain_def_check_supported(nw, &nerr));
	g_assert_no_error(nerr);
	g_assert_cmpstr(nw->nets[0].type, ==, "network");
	g_assert_cmpstr(nw->nets[0].source, ==, "default");
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_to_config(emu, &cfg, &err));
	g_assert_cmpint(cfg.accel, ==, ACCEL_EMU);
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);
	g_assert_cmpstr(cfg.cmdline, ==, "console=ttyS0");
	g_assert_cmpuint(cfg.memory, ==, 512ULL << 20);
	machine_config_clear(&cfg);
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(kvm, &cfg, &err));
	g_assert_cmpint(cfg.accel, ==, ACCEL_KVM);
	machine_config_clear(&cfg);
	g_assert_cmpuint(dn->ndisks, ==, 1);
	g_assert_cmpstr(dn->disks[0].driver_type, ==, "qcow2");
	g_assert_cmpuint(dn->nnets, ==, 1);
	g_assert_cmpstr(dn->nets[0].type, ==, "user");
	g_assert_false(domain_def_check_supported_with(dn, 0, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	g_assert_cmpstr(err->message, ==, "unsupported configuration: tandem does not support <disk> devices yet");
	g_clear_error(&err);
	/* the machine builds virtio devices: accepted */
	g_assert_true(domain_def_check_supported(dn, &err));
	g_assert_no_error(err);
	g_assert_null(domain_def_parse_file("/nonexistent/x.xml", 0, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_INTERNAL_ERROR);
}

/* Virtio devices, once the machine builds them (DOMAIN_SUPPORT_VIRTIO). */
static void test_virtio_devices(void)
{
	g_autofree char *xml = with_devices(
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/img/a.qcow2'/>"
		"<target dev='vda' bus='virtio'/><serial>SER1</serial></disk>"
		"<disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb' bus='virtio'/><readonly/></disk>"
		"<disk type='file' device='disk'><driver type='raw'/><source file='/img/b.raw'/><target dev='vdc'/></disk>"
		"<disk type='file' device='disk'><source file='/img/c.img'/><target dev='vdd'/></disk>"
		"<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
		"<interface type='ethernet'><mac address='52:54:00:ab:cd:ef'/><target dev='tap7'/><model type='virtio'/></interface>"
		"<interface type='bridge'><mac address='52:54:00:01:02:03'/><source bridge='br0'/></interface>"
		"<serial type='pty'/>"
		"<console type='file'><source path='/tmp/hvc0.log'/><target type='virtio'/></console>"
		"<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_autoptr(GError) err = NULL;
	/* refused by a machine without virtio, accepted by default (the machine builds them) */
	g_assert_false(domain_def_check_supported_with(d, 0, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	g_clear_error(&err);
	g_assert_true(domain_def_check_supported(d, &err));
	g_assert_no_error(err);
	g_assert_true(domain_def_check_supported_with(d, DOMAIN_SUPPORT_VIRTIO, &err));
	g_assert_no_error(err);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config_with(d, DOMAIN_SUPPORT_VIRTIO, &cfg, &err));
	g_assert_cmpuint(cfg.ndisks, ==, 4);
	g_assert_cmpstr(cfg.disks[0].path, ==, "/img/a.qcow2");
	g_assert_cmpint(cfg.disks[0].format, ==, DISK_FORMAT_QCOW2);
	g_assert_cmpstr(cfg.disks[0].serial, ==, "SER1");
	g_assert_cmpstr(cfg.disks[1].path, ==, "/dev/sdz");
	g_assert_true(cfg.disks[1].readonly);
	g_assert_cmpint(cfg.disks[1].format, ==, DISK_FORMAT_AUTO);
	g_assert_cmpint(cfg.disks[2].format, ==, DISK_FORMAT_RAW);
	g_assert_cmpuint(cfg.nnics, ==, 3);
	g_assert_cmpint(cfg.nics[0].kind, ==, NIC_USER);
	g_assert_true(cfg.nics[0].mac_set);
	g_assert_cmpmem(cfg.nics[0].mac, 6, ((uint8_t[]){ 0x52, 0x54, 0, 0x12, 0x34, 0x56 }), 6);
	g_assert_cmpint(cfg.nics[1].kind, ==, NIC_TAP);
	g_assert_cmpstr(cfg.nics[1].ifname, ==, "tap7");
	g_assert_null(cfg.nics[1].bridge);
	g_assert_cmpint(cfg.nics[2].kind, ==, NIC_TAP);
	g_assert_cmpstr(cfg.nics[2].ifname, ==, "tdm010203");
	g_assert_cmpstr(cfg.nics[2].bridge, ==, "br0");
	g_assert_true(cfg.rng);
	g_assert_cmpint(cfg.console2, ==, SERIAL_FILE);
	g_assert_cmpstr(cfg.console2_path, ==, "/tmp/hvc0.log");
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);

	/* and through the command line */
	g_auto(GStrv) argv = machine_config_to_argv(&cfg, "/usr/bin/tandem");
	g_autofree char *joined = g_strjoinv(" ", argv);
	assert_contains(joined, "--disk /img/a.qcow2,format=qcow2,serial=SER1 --disk /dev/sdz,readonly=on "
				"--disk /img/b.raw,format=raw --disk /img/c.img "
				"--net user,mac=52:54:00:12:34:56 --net tap,ifname=tap7,mac=52:54:00:ab:cd:ef "
				"--net tap,ifname=tdm010203,bridge=br0,mac=52:54:00:01:02:03 --rng --console2 file:/tmp/hvc0.log");
	struct machine_config back;
	machine_config_init(&back);
	g_auto(GStrv) copy = g_strdupv(argv);
	g_assert_true(cli_parse_run((int)g_strv_length(copy) - 1, copy + 1, &back, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(back.ndisks, ==, cfg.ndisks);
	for (unsigned i = 0; i < cfg.ndisks; i++) {
		g_assert_cmpstr(back.disks[i].path, ==, cfg.disks[i].path);
		g_assert_cmpint(back.disks[i].format, ==, cfg.disks[i].format);
		g_assert_cmpint(back.disks[i].readonly, ==, cfg.disks[i].readonly);
		g_assert_cmpstr(back.disks[i].serial, ==, cfg.disks[i].serial);
	}
	g_assert_cmpuint(back.nnics, ==, cfg.nnics);
	for (unsigned i = 0; i < cfg.nnics; i++) {
		g_assert_cmpint(back.nics[i].kind, ==, cfg.nics[i].kind);
		g_assert_cmpmem(back.nics[i].mac, 6, cfg.nics[i].mac, 6);
		g_assert_cmpstr(back.nics[i].ifname, ==, cfg.nics[i].ifname);
		g_assert_cmpstr(back.nics[i].bridge, ==, cfg.nics[i].bridge);
	}
	g_assert_true(back.rng);
	g_assert_cmpint(back.console2, ==, SERIAL_FILE);
	g_assert_cmpstr(back.console2_path, ==, "/tmp/hvc0.log");
	machine_config_clear(&back);
	machine_config_clear(&cfg);

	/* examples/xml/disk-net.xml is what this is for */
	g_autofree char *path = g_build_filename(TANDEM_SRCDIR, "examples", "xml", "disk-net.xml", NULL);
	g_autoptr(domain_def) dn = domain_def_parse_file(path, 0, NULL);
	g_assert_true(domain_def_check_supported_with(dn, DOMAIN_SUPPORT_VIRTIO, NULL));
}

static void test_virtio_refused(void)
{
	static const struct { const char *xml, *part; } cases[] = {
		{ "<disk type='file' device='disk'><source file='/a'/><target dev='hda' bus='ide'/></disk>", "bus 'ide'" },
		{ "<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='vdb'/><readonly/></disk>", "cdrom" },
		{ "<disk type='dir' device='disk'><source dir='/srv'/><target dev='vda'/></disk>", "type='dir'" },
		{ "<disk type='file' device='disk'><target dev='vda'/></disk>", "<source>" },
		{ "<disk type='file' device='disk'><driver type='vmdk'/><source file='/a'/><target dev='vda'/></disk>", "vmdk" },
		{ "<disk type='file' device='disk'><source file='/a,b'/><target dev='vda'/></disk>", "','" },
		{ "<disk type='file' device='disk'><source file='/a'/><target dev='vda'/><serial>123456789012345678901</serial></disk>",
		  "20 characters" },
		{ "<interface type='user'><model type='e1000'/></interface>", "e1000" },
		{ "<interface type='network'><source network='a,b'/></interface>", "','" },
		{ "<interface type='ethernet'><target dev='averyveryverylongtap'/></interface>", "15 characters" },
		{ "<rng model='virtio'><backend model='egd' type='tcp'><source mode='connect' host='h' service='1'/>"
		  "<protocol type='raw'/></backend></rng>", "egd" },
		{ "<rng model='virtio'><backend model='random'/></rng><rng model='virtio'><backend model='random'/></rng>", "one <rng>" },
		{ "<console type='pty'><target type='virtio'/></console><console type='pty'><target type='virtio' port='1'/></console>",
		  "one virtio <console>" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = with_devices(cases[i].xml);
		g_test_message("%s", cases[i].xml);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		g_autoptr(GError) err = NULL;
		g_assert_false(domain_def_check_supported_with(d, DOMAIN_SUPPORT_VIRTIO, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		assert_contains(err->message, cases[i].part);
	}
}

/* <interface type='network'>: accepted at define; the bridge that
 * virttandemd resolves at start is live-only state (live XML, status XML
 * read back after a daemon restart) and becomes a tap on that bridge. */
static void test_virtio_network(void)
{
	g_autofree char *xml = with_devices("<interface type='network'><source network='lan'/>"
					    "<mac address='52:54:00:0a:0b:0c'/><model type='virtio'/></interface>");
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_check_supported_with(d, DOMAIN_SUPPORT_VIRTIO, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(d->nets[0].source, ==, "lan");
	g_assert_null(d->nets[0].bridge);

	/* unresolved (tandem run --domain): refused, naming the way out */
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_false(domain_def_to_config_with(d, DOMAIN_SUPPORT_VIRTIO, &cfg, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	assert_contains(err->message, "network 'lan'");
	assert_contains(err->message, "virttandemd");
	g_clear_error(&err);
	machine_config_clear(&cfg);

	/* resolved: live XML shows the bridge, inactive XML does not */
	d->nets[0].bridge = g_strdup("virbr7");
	struct domain_live live = { .id = 3 };
	g_autofree char *lx = domain_def_format(d, &live, 0);
	assert_contains(lx, "<source network='lan' bridge='virbr7'/>");
	assert_contains(lx, "<target dev='tdm0a0b0c'/>");  /* the tap, as libvirt shows vnetN */
	g_autofree char *ix = domain_def_format(d, &live, DOMAIN_XML_INACTIVE);
	assert_contains(ix, "<source network='lan'/>");
	g_assert_null(strstr(ix, "virbr7"));
	g_assert_null(strstr(ix, "tdm0a0b0c"));
	g_autoptr(domain_def) back = parse_ok(lx, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpstr(back->nets[0].bridge, ==, "virbr7");
	g_assert_null(back->nets[0].target_dev);  /* made up, not configured */
	g_autoptr(domain_def) copy = domain_def_copy(back);
	g_assert_null(copy->nets[0].bridge);

	/* a configured <target dev> stays what it is, live and inactive */
	g_autofree char *named = with_devices("<interface type='bridge'><source bridge='br0'/>"
					      "<mac address='52:54:00:0a:0b:0d'/><target dev='mytap'/></interface>");
	g_autoptr(domain_def) nd = parse_ok(named, 0);
	g_autofree char *nlx = domain_def_format(nd, &live, 0);
	assert_contains(nlx, "<target dev='mytap'/>");
	g_autoptr(domain_def) nback = parse_ok(nlx, 0);
	g_assert_cmpstr(nback->nets[0].target_dev, ==, "mytap");

	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config_with(back, DOMAIN_SUPPORT_VIRTIO, &cfg, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(cfg.nnics, ==, 1);
	g_assert_cmpint(cfg.nics[0].kind, ==, NIC_TAP);
	g_assert_cmpstr(cfg.nics[0].ifname, ==, "tdm0a0b0c");
	g_assert_cmpstr(cfg.nics[0].bridge, ==, "virbr7");
	g_auto(GStrv) argv = machine_config_to_argv(&cfg, "/usr/bin/tandem");
	g_autofree char *joined = g_strjoinv(" ", argv);
	assert_contains(joined, "--net tap,ifname=tdm0a0b0c,bridge=virbr7,mac=52:54:00:0a:0b:0c");
	machine_config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/config/to-config", test_to_config);
	g_test_add_func("/conf/config/argv", test_argv);
	g_test_add_func("/conf/examples", test_examples);
	g_test_add_func("/conf/config/virtio-devices", test_virtio_devices);
	g_test_add_func("/conf/config/virtio-refused", test_virtio_refused);
	g_test_add_func("/conf/config/virtio-network", test_virtio_network);
	return g_test_run();
}
