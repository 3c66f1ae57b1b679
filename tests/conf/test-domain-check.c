/* Tests of domain_check.c: the define-time whitelist. */
#include "conf-test-util.h"

/* --- devices: kept, and refused at define (the virtio ones only on a machine without virtio) ------------------------------- */
static void test_unsupported_devices(void)
{
	static const struct { const char *xml, *name; } cases[] = {
		{ "<disk type='file' device='disk'><source file='/x.img'/><target dev='vda' bus='virtio'/></disk>", "<disk>" },
		{ "<disk type='network' device='disk'><source protocol='nbd' name='foo'><host name='h' port='10809'/></source>"
		  "<target dev='vda' bus='virtio'/></disk>", "<disk type='network'>" },
		{ "<interface type='user'><model type='virtio'/></interface>", "<interface>" },
		{ "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>", "<interface type='direct'>" },
		{ "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>", "<rng>" },
		{ "<graphics type='vnc' port='-1' autoport='yes'/>", "<graphics>" },
		{ "<video><model type='vga' vram='16384' heads='1'/></video>", "<video>" },
		{ "<sound model='ich6'/>", "<sound>" },
		{ "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='0' slot='3' function='0'/></source></hostdev>", "<hostdev>" },
		{ "<filesystem type='mount' accessmode='passthrough'><source dir='/srv'/><target dir='srv'/></filesystem>", "<filesystem>" },
		{ "<watchdog model='i6300esb' action='reset'/>", "<watchdog>" },
		{ "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", "<channel>" },
		{ "<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>", "<tpm>" },
		{ "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/><protocol type='raw'/></serial>", "type='tcp'" },
		{ "<serial type='pty'/><serial type='pty'/>", "one <serial>" },
		{ "<serial type='pty'><target port='1'/></serial>", "port 1" },
		{ "<input type='tablet' bus='usb'/>", "tablet" },
		{ "<controller type='usb' index='0' model='qemu-xhci'/>", "qemu-xhci" },
		{ "<controller type='ide' index='0'/>", "ide" },
		{ "<memballoon model='virtio'/>", "memballoon model='virtio'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = with_devices(cases[i].xml);
		g_test_message("device %s", cases[i].xml);
		g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
		g_autoptr(GError) err = NULL;
		g_assert_false(domain_def_check_supported_with(d, 0, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		g_assert_true(g_str_has_prefix(err->message, "unsupported configuration: "));
		assert_contains(err->message, cases[i].name);
		/* kept: formatted back, valid, and stable */
		g_autofree char *x = domain_def_format(d, NULL, 0);
		assert_valid(x);
		g_autoptr(domain_def) again = parse_ok(x, 0);
		g_autofree char *x2 = domain_def_format(again, NULL, 0);
		g_assert_cmpstr(x, ==, x2);
		struct machine_config cfg;
		machine_config_init(&cfg);
		g_clear_error(&err);
		g_assert_false(domain_def_to_config_with(d, 0, &cfg, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		machine_config_clear(&cfg);
	}
	g_autofree char *rng = with_devices("<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>");
	g_autoptr(domain_def) r = parse_ok(rng, 0);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported_with(r, 0, &err));
	g_assert_cmpstr(err->message, ==, "unsupported configuration: tandem does not support <rng> devices yet");
}

static void test_supported_devices(void)
{
	g_autofree char *xml = with_devices(
		"<emulator>/opt/tandem/bin/tandem</emulator>"
		"<controller type='pci' index='0' model='pci-root'/>"
		"<controller type='usb' model='none'/>"
		"<serial type='file'><source path='/var/log/t1.serial'/></serial>"
		"<input type='keyboard' bus='ps2'/><input type='mouse'/>"
		"<memballoon model='none'/>");
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_check_supported(d, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(d->emulator, ==, "/opt/tandem/bin/tandem");
	g_assert_cmpuint(d->ncontrollers, ==, 2);
	g_assert_cmpuint(d->ninputs, ==, 2);
	g_assert_cmpstr(d->inputs[1].bus, ==, "ps2");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<emulator>/opt/tandem/bin/tandem</emulator>");
	assert_contains(x, "<controller type='usb' index='0' model='none'/>");
	assert_contains(x, "<input type='mouse' bus='ps2'/>");
	assert_contains(x, "<memballoon model='none'/>");
	assert_valid(x);
	/* kernel-less, firmware, localtime, vcpu hotplug, too many vcpus: refused */
	static const struct { const char *xml, *part; } refused[] = {
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os></domain>", "<kernel>" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type>"
		  "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader><kernel>/k</kernel></os></domain>", "<loader>" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
		  "<clock offset='localtime'/></domain>", "localtime" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><vcpu current='1'>2</vcpu>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "hotplug" },
		{ "<domain type='kvm'><name>a</name><memory>65536</memory><vcpu>65</vcpu>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "64" },
		{ "<domain type='kvm'><name>a</name><maxMemory slots='4' unit='GiB'>8</maxMemory><memory>65536</memory>"
		  "<os><type>hvm</type><kernel>/k</kernel></os></domain>", "maxMemory" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(domain_def) r = parse_ok(refused[i].xml, DOMAIN_DEF_PARSE_VALIDATE);
		g_autoptr(GError) e = NULL;
		g_assert_false(domain_def_check_supported(r, &e));
		g_assert_error(e, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
		assert_contains(e->message, refused[i].part);
		g_autofree char *x2 = domain_def_format(r, NULL, 0);
		assert_valid(x2);
	}
}

/* Kept elements are formatted as written; one that would make our XML
 * fail libvirt's schema is refused at define (92), unless the schema is
 * not installed. */
static void test_schema_safety_net(void)
{
	const char *xml = "<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
			  "<features><acpi/><hyperv mode='custom' bogus='1'><relaxed state='on'/></hyperv></features></domain>";
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
	parse_fails(xml, DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA, NULL);
	g_setenv("TANDEM_DOMAIN_RNG", "/nonexistent/domain.rng", TRUE);
	g_assert_true(domain_def_check_supported(d, NULL));
	g_unsetenv("TANDEM_DOMAIN_RNG");
	g_assert_false(domain_def_check_supported(d, NULL));
}

/* What virt-install 4.1 writes for a kernel boot with --graphics none
 * --disk none --network none --serial pty on a non-qemu URI (spec 4.3):
 * the flow that must work today. */
static void test_virt_install_kernel_boot(void)
{
	const char *xml =
		"<domain type=\"kvm\">\n"
		"  <name>demo</name>\n"
		"  <uuid>8b6a3a38-2f36-4a7e-9d0b-0a3c1b2d4e5f</uuid>\n"
		"  <memory>524288</memory>\n"
		"  <currentMemory>524288</currentMemory>\n"
		"  <vcpu>2</vcpu>\n"
		"  <os>\n"
		"    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n"
		"    <kernel>/var/lib/tandem/images/vmlinuz-cloud</kernel>\n"
		"    <initrd>/var/lib/tandem/images/initramfs.cpio.gz</initrd>\n"
		"    <cmdline>console=ttyS0</cmdline>\n"
		"    <boot dev=\"hd\"/>\n"
		"  </os>\n"
		"  <features>\n"
		"    <acpi/>\n"
		"    <apic/>\n"
		"  </features>\n"
		"  <clock offset=\"utc\"/>\n"
		"  <on_reboot>destroy</on_reboot>\n"
		"  <devices>\n"
		"    <emulator>/usr/bin/tandem</emulator>\n"
		"    <serial type=\"pty\"/>\n"
		"    <console type=\"pty\"/>\n"
		"  </devices>\n"
		"</domain>\n";
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_autoptr(GError) err = NULL;
	g_assert_true(domain_def_check_supported(d, &err));
	g_assert_no_error(err);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(d, &cfg, &err));
	g_assert_cmpint(cfg.accel, ==, ACCEL_KVM);
	g_assert_cmpuint(cfg.memory, ==, 512ULL << 20);
	g_assert_cmpuint(cfg.cpus, ==, 2);
	g_assert_cmpint(cfg.serial, ==, SERIAL_PTY);
	g_assert_true(cfg.no_reboot);
	g_assert_true(cfg.acpi);
	machine_config_clear(&cfg);
	/* what virsh/virt-manager read back */
	struct domain_live live = { .id = 1, .serial_pty = "/dev/pts/4" };
	g_autofree char *x = domain_def_format(d, &live, 0);
	assert_valid(x);
	assert_contains(x, "<alias name='serial0'/>");
	assert_contains(x, "<on_reboot>destroy</on_reboot>");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/devices/unsupported", test_unsupported_devices);
	g_test_add_func("/conf/devices/supported", test_supported_devices);
	g_test_add_func("/conf/check/schema-safety-net", test_schema_safety_net);
	g_test_add_func("/conf/check/virt-install-kernel-boot", test_virt_install_kernel_boot);
	return g_test_run();
}
