/* Tests of domain_parse.c and domain_parse_dev.c: libvirt's parsing rules,
 * defaults and error codes. */
#include "conf-test-util.h"

/* --- basics and defaults ---------------------------------------------- */
static void test_minimal_defaults(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	g_assert_cmpint(d->virt, ==, DOMAIN_VIRT_QEMU);
	g_assert_cmpstr(d->name, ==, "t1");
	g_autofree char *u = domain_uuid_format(d->uuid);
	g_assert_cmpstr(u, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	g_assert_cmpuint(d->memory_kib, ==, 256 * 1024);
	g_assert_cmpuint(d->current_memory_kib, ==, 256 * 1024);
	g_assert_cmpuint(d->vcpus, ==, 1);
	g_assert_cmpuint(d->vcpus_current, ==, 1);
	g_assert_cmpstr(d->vcpu_placement, ==, "static");
	g_assert_cmpstr(d->os_type, ==, "hvm");
	g_assert_cmpstr(d->arch, ==, "x86_64");
	g_assert_cmpstr(d->machine, ==, "pc");
	g_assert_cmpstr(d->kernel, ==, "/boot/vmlinuz");
	g_assert_cmpstr(d->initrd, ==, "/boot/initrd.img");
	g_assert_cmpstr(d->cmdline, ==, "console=ttyS0 quiet");
	g_assert_cmpstr(d->boot_devs[0], ==, "hd");
	g_assert_null(d->boot_devs[1]);
	g_assert_true(d->acpi && d->apic && !d->pae);
	g_assert_cmpstr(d->clock_offset, ==, "utc");
	g_assert_cmpint(d->on_poweroff, ==, LIFECYCLE_DESTROY);
	g_assert_cmpint(d->on_reboot, ==, LIFECYCLE_RESTART);
	g_assert_cmpint(d->on_crash, ==, LIFECYCLE_DESTROY);
	g_assert_cmpstr(d->emulator, ==, DOMAIN_DEFAULT_EMULATOR);
	g_assert_cmpstr(d->memballoon_model, ==, "none");
	g_assert_cmpuint(d->nserials, ==, 1);
	g_assert_cmpstr(d->serials[0].type, ==, "pty");
	g_assert_cmpstr(d->serials[0].target_type, ==, "isa-serial");
	g_assert_cmpint(d->serials[0].port, ==, 0);
	g_assert_null(d->metadata_xml);
	g_assert_true(domain_def_check_supported(d, NULL));
}

static void test_no_devices_machine_arch_defaults(void)
{
	g_autoptr(domain_def) d = parse_ok(
		"<domain type='kvm'><name>x</name><memory>65536</memory>"
		"<vcpu placement='static' current='2'>4</vcpu>"
		"<os><type>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os></domain>", 0);
	g_assert_cmpint(d->virt, ==, DOMAIN_VIRT_KVM);
	g_assert_cmpstr(d->arch, ==, "x86_64");
	g_assert_cmpstr(d->machine, ==, "pc");
	g_assert_cmpuint(d->memory_kib, ==, 65536);
	g_assert_cmpuint(d->vcpus, ==, 4);
	g_assert_cmpuint(d->vcpus_current, ==, 2);
	g_assert_cmpstr(d->boot_devs[0], ==, "cdrom");
	g_assert_cmpstr(d->boot_devs[1], ==, "hd");
	g_assert_cmpuint(d->nserials, ==, 0);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<vcpu placement='static' current='2'>4</vcpu>");
	assert_contains(x, "<type arch='x86_64' machine='pc'>hvm</type>");
	assert_valid(x);
	/* machine types are kept as given */
	g_autoptr(domain_def) q = parse_ok(
		"<domain type='kvm'><name>x</name><memory>65536</memory>"
		"<os><type machine='q35'>hvm</type></os></domain>", 0);
	g_assert_cmpstr(q->machine, ==, "q35");
}

/* --- memory units -------------------------------------------------------- */
static void test_memory_units(void)
{
	static const struct { const char *value, *unit; uint64_t kib; } cases[] = {
		{ "1", NULL, 1 }, { "1", "", 1 },
		{ "1024", "b", 1 }, { "1025", "bytes", 2 }, { "1", "byte", 1 }, { "1", "B", 1 },
		{ "1", "KB", 1 }, { "2000", "KB", 1954 }, { "1", "k", 1 }, { "1", "KiB", 1 },
		{ "1", "MB", 977 }, { "1", "M", 1024 }, { "1", "MiB", 1024 }, { "1", "mib", 1024 },
		{ "1", "GB", 976563 }, { "1", "G", 1048576 }, { "1", "GiB", 1048576 }, { "1", "gIb", 1048576 },
		{ "1", "TB", 976562500 }, { "1", "T", 1073741824 }, { "1", "TiB", 1073741824 },
		{ "1", "PB", 976562500000ULL }, { "1", "P", 1ULL << 40 }, { "1", "PiB", 1ULL << 40 },
		{ "1", "EB", 976562500000000ULL }, { "1", "E", 1ULL << 50 }, { "7", "EiB", 7ULL << 50 },
		{ "9223372036854774784", "b", 9007199254740991ULL },
		{ " 42", "KiB", 42 }, /* strtoull's leading blanks */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *unit = cases[i].unit ? g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory%s>%s</memory><os><type>hvm</type></os></domain>",
			unit, cases[i].value);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		if (d->memory_kib != cases[i].kib)
			g_error("%s %s: %" G_GUINT64_FORMAT " KiB, expected %" G_GUINT64_FORMAT,
				cases[i].value, cases[i].unit, d->memory_kib, cases[i].kib);
		/* always formatted in KiB */
		g_autofree char *x = domain_def_format(d, NULL, 0);
		g_autofree char *want = g_strdup_printf("<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>", cases[i].kib);
		assert_contains(x, want);
	}
}

static void test_memory_errors(void)
{
	static const struct { const char *value, *unit; int code; } cases[] = {
		{ "1", "XB", VIR_ERR_INVALID_ARG }, { "1", "KiBB", VIR_ERR_INVALID_ARG },
		{ "1", "q", VIR_ERR_INVALID_ARG },
		{ "8", "EiB", VIR_ERR_OVERFLOW }, { "9007199254740992", NULL, VIR_ERR_OVERFLOW },
		{ "9223372036854775808", "b", VIR_ERR_OVERFLOW }, { "9223372036854775807", "b", VIR_ERR_OVERFLOW },
		{ "lots", NULL, VIR_ERR_XML_ERROR }, { "-1", NULL, VIR_ERR_XML_ERROR }, { "42 ", NULL, VIR_ERR_XML_ERROR },
		{ "", "GiB", VIR_ERR_XML_ERROR }, /* empty: as if absent, "Memory size must be specified" */
		{ "99999999999999999999999", NULL, VIR_ERR_XML_ERROR }, { "0", NULL, VIR_ERR_XML_ERROR },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *unit = cases[i].unit ? g_strdup_printf(" unit='%s'", cases[i].unit) : g_strdup("");
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory%s>%s</memory><os><type>hvm</type></os></domain>",
			unit, cases[i].value);
		g_test_message("memory %s %s", cases[i].value, cases[i].unit);
		parse_fails(xml, 0, cases[i].code, NULL);
	}
	parse_fails("<domain type='qemu'><name>m</name><memory>1</memory><os><type>hvm</type></os>"
		    "<currentMemory unit='EiB'>9</currentMemory></domain>", 0, VIR_ERR_OVERFLOW, "value too large");
	parse_fails("<domain type='qemu'><name>m</name><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "Memory size must be specified");
	parse_fails("<domain type='qemu'><name>m</name><memory unit='XB'>1</memory><os><type>hvm</type></os></domain>",
		    0, VIR_ERR_INVALID_ARG, "unknown suffix 'XB'");
}

static void test_current_memory(void)
{
	static const struct { const char *cur; uint64_t kib; } cases[] = {
		{ NULL, 4096 }, { "<currentMemory>0</currentMemory>", 4096 },
		{ "<currentMemory unit='MiB'>8</currentMemory>", 4096 },
		{ "<currentMemory unit='KiB'>2048</currentMemory>", 2048 },
		{ "<currentMemory unit='b'>1</currentMemory>", 1 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = g_strdup_printf(
			"<domain type='qemu'><name>m</name><memory unit='MiB'>4</memory>%s<os><type>hvm</type></os></domain>",
			cases[i].cur ? cases[i].cur : "");
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		g_assert_cmpuint(d->memory_kib, ==, 4096);
		g_assert_cmpuint(d->current_memory_kib, ==, cases[i].kib);
	}
}

/* --- document-level errors ----------------------------------------------- */
static void test_root_name_uuid_errors(void)
{
	parse_fails("<foo/>", 0, VIR_ERR_XML_ERROR, "XML error: expecting root element of 'domain', not 'foo'");
	parse_fails("<foo/>", DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_ERROR, "not 'foo'");
	parse_fails("<domain type='qemu'><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_NO_NAME, "missing name information");
	parse_fails("<domain type='qemu'><name></name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_NO_NAME, NULL);
	parse_fails("<domain type='qemu'><name>a/b</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_ERROR, "cannot contain '/'");
	parse_fails("<domain type='qemu'><name>a\nb</name><memory>65536</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_XML_DETAIL, "invalid char in name");
	parse_fails("<domain type='qemu'><name>a</name><uuid>not-a-uuid</uuid><memory>1</memory>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_INTERNAL_ERROR, "malformed uuid element");
	parse_fails("<domain type='qemu'><name>a</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db180</uuid>"
		    "<memory>1</memory><os><type>hvm</type></os></domain>", 0, VIR_ERR_INTERNAL_ERROR, NULL);
	parse_fails("<domain type='qemu'><name>a</name><title>x\ny</title><memory>1</memory>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_XML_ERROR, "title");
}

static void test_virt_type_arch_os(void)
{
	parse_fails("<domain><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_INTERNAL_ERROR, "missing domain type attribute");
	parse_fails("<domain type='foo'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_CONFIG_UNSUPPORTED, "invalid domain type foo");
	/* known to libvirt, not to tandem's capabilities */
	parse_fails("<domain type='xen'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
		    VIR_ERR_INVALID_ARG, "could not find capabilities for ostype=hvm arch=x86_64 domaintype=xen");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory>"
		    "<os><type arch='aarch64'>hvm</type></os></domain>", 0, VIR_ERR_INVALID_ARG, "arch=aarch64");
	/* a host without KVM */
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>",
		    DOMAIN_DEF_PARSE_NO_KVM, VIR_ERR_INVALID_ARG,
		    "could not find capabilities for ostype=hvm arch=x86_64 domaintype=kvm");
	g_autoptr(domain_def) q = parse_ok("<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>",
					   DOMAIN_DEF_PARSE_NO_KVM);
	g_assert_cmpint(q->virt, ==, DOMAIN_VIRT_QEMU);
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory>"
		    "<os><type arch='z80'>hvm</type></os></domain>", 0, VIR_ERR_CONFIG_UNSUPPORTED, "Unknown architecture z80");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>xen</type></os></domain>", 0,
		    VIR_ERR_INVALID_ARG, "ostype=xen");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>dos</type></os></domain>", 0,
		    VIR_ERR_CONFIG_UNSUPPORTED, "unknown OS type 'dos'");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory></domain>", 0,
		    VIR_ERR_XML_ERROR, "an os <type> must be specified");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type>"
		    "<boot dev='tape'/></os></domain>", 0, VIR_ERR_XML_ERROR, "tape");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><vcpu>0</vcpu>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_INTERNAL_ERROR, NULL);
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><vcpu current='3'>2</vcpu>"
		    "<os><type>hvm</type></os></domain>", 0, VIR_ERR_CONFIG_UNSUPPORTED,
		    "maximum vCPU count must not be less than current vCPU count");
}

static void test_lifecycle(void)
{
	g_autoptr(domain_def) d = parse_ok(
		"<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type><kernel>/k</kernel></os>"
		"<on_poweroff>restart</on_poweroff><on_reboot>destroy</on_reboot>"
		"<on_crash>coredump-destroy</on_crash></domain>", 0);
	g_assert_cmpint(d->on_poweroff, ==, LIFECYCLE_RESTART);
	g_assert_cmpint(d->on_reboot, ==, LIFECYCLE_DESTROY);
	g_assert_cmpint(d->on_crash, ==, LIFECYCLE_COREDUMP_DESTROY);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	assert_contains(err->message, "on_crash");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "<on_crash>coredump-destroy</on_crash>");
	assert_valid(x);
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
		    "<on_poweroff>coredump-destroy</on_poweroff></domain>", 0, VIR_ERR_CONFIG_UNSUPPORTED,
		    "Lifecycle event 'poweroff' doesn't support 'coredump-destroy' action");
	parse_fails("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
		    "<on_reboot>explode</on_reboot></domain>", 0, VIR_ERR_CONFIG_UNSUPPORTED,
		    "unknown on_reboot action: explode");
}

static void test_malformed(void)
{
	parse_fails("<domain type='qemu'><name>a</name", 0, VIR_ERR_XML_DETAIL, "(domain_definition):1:");
	parse_fails("", 0, VIR_ERR_XML_DETAIL, NULL);
	parse_fails("<domain type='qemu'>\n<name>a</nam>\n</domain>", 0, VIR_ERR_XML_DETAIL, "(domain_definition):2:");
	parse_fails("not xml at all", DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_DETAIL, NULL);
}

/* libxml2 must not print anything itself: errors travel as GErrors only. */
static void test_malformed_is_quiet(void)
{
	if (g_test_subprocess()) {
		g_autoptr(GError) err = NULL;
		g_assert_null(domain_def_parse("<domain type='qemu'><name>a</name", 0, &err));
		g_clear_error(&err);
		g_assert_null(domain_def_parse("<domain type='qemu'><bogus/></domain>", DOMAIN_DEF_PARSE_VALIDATE, &err));
		g_assert_error(err, CONF_ERROR, VIR_ERR_XML_INVALID_SCHEMA);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr_unmatched("?*");
	g_test_trap_assert_stdout_unmatched("*error*");
}

static void test_generated_uuid(void)
{
	const char *xml = "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>";
	g_autoptr(domain_def) a = parse_ok(xml, 0);
	g_autoptr(domain_def) b = parse_ok(xml, 0);
	g_assert_cmpmem(a->uuid, 16, a->uuid, 16);
	g_assert_true(memcmp(a->uuid, b->uuid, 16) != 0);
	g_assert_cmpint(a->uuid[6] >> 4, ==, 4);      /* version 4 */
	g_assert_cmpint(a->uuid[8] & 0xc0, ==, 0x80); /* RFC 4122 variant */
}

/* --- schema validation ---------------------------------------------------- */
static void test_validate_flag(void)
{
	g_autofree char *xml = g_strdup_printf(MINIMAL_HEAD "  <bogus/>\n  <devices><frob/><serial type='pty'/></devices>\n</domain>\n");
	/* without VALIDATE unknown elements are dropped, as libvirt does */
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	g_assert_null(strstr(x, "bogus"));
	g_assert_null(strstr(x, "frob"));
	assert_valid(x);
	parse_fails(xml, DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA,
		    "XML document failed to validate against schema: Unable to validate doc against "
		    DOMAIN_DEFAULT_SCHEMA);
	/* a schema type error */
	parse_fails("<domain type='qemu'><name>a</name><memory>lots</memory><os><type>hvm</type></os></domain>",
		    DOMAIN_DEF_PARSE_VALIDATE, VIR_ERR_XML_INVALID_SCHEMA, NULL);
	/* valid documents pass */
	g_autoptr(domain_def) ok = parse_ok(minimal_xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpstr(ok->name, ==, "t1");
}

static void test_features_timers_memory_limits(void)
{
	parse_fails("<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os>"
		    "<features><acpi/><warp-drive/></features></domain>", 0, VIR_ERR_CONFIG_UNSUPPORTED,
		    "unexpected feature 'warp-drive'");
	parse_fails("<domain type='kvm'><name>a</name><memory>65536</memory><os><type>hvm</type></os>"
		    "<clock offset='utc'><timer name='sundial'/></clock></domain>", 0, VIR_ERR_XML_ERROR,
		    "Invalid value for attribute 'name' in element 'timer': 'sundial'.");
	static const struct { const char *mem; bool ok; } mems[] = {
		{ "<memory unit='KiB'>2047</memory>", false }, { "<memory unit='MiB'>2</memory>", true },
		{ "<memory unit='TiB'>1</memory>", true }, { "<memory unit='KiB'>1073741825</memory>", false },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(mems); i++) {
		g_autofree char *xml = g_strdup_printf(
			"<domain type='kvm'><name>a</name>%s<os><type>hvm</type><kernel>/k</kernel></os></domain>",
			mems[i].mem);
		g_autoptr(domain_def) d = parse_ok(xml, 0);
		g_autoptr(GError) err = NULL;
		g_assert_cmpint(domain_def_check_supported(d, &err), ==, mems[i].ok);
		if (!mems[i].ok) {
			g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
			assert_contains(err->message, "2 MiB to 1 TiB");
		}
	}
	/* machine memory is whole MiB, rounded up */
	g_autoptr(domain_def) r = parse_ok("<domain type='kvm'><name>a</name><memory unit='KiB'>4097</memory>"
					   "<os><type>hvm</type><kernel>/k</kernel></os></domain>", 0);
	struct machine_config cfg;
	machine_config_init(&cfg);
	g_assert_true(domain_def_to_config(r, &cfg, NULL));
	g_assert_cmpuint(cfg.memory, ==, 5ULL << 20);
	machine_config_clear(&cfg);
}

static void test_device_parse_errors(void)
{
	static const struct { const char *xml; int code; const char *part; } cases[] = {
		{ "<disk type='file'><source file='/x'/></disk>", VIR_ERR_NO_TARGET, "/x" },
		{ "<disk type='file'><target dev='vda' bus='foo'/></disk>", VIR_ERR_XML_ERROR, "'foo'" },
		{ "<disk type='floppyish'><target dev='vda'/></disk>", VIR_ERR_XML_ERROR, "floppyish" },
		{ "<interface type='user'><mac address='52:54:00:zz:00:01'/></interface>", VIR_ERR_XML_ERROR, "mac" },
		{ "<interface type='user'><mac address='01:54:00:00:00:01'/></interface>", VIR_ERR_XML_ERROR, "multicast" },
		{ "<interface type='network'/>", VIR_ERR_XML_ERROR, "network" },
		{ "<serial type='weird'/>", VIR_ERR_CONFIG_UNSUPPORTED, "weird" },
		{ "<serial type='pty'><target type='martian'/></serial>", VIR_ERR_CONFIG_UNSUPPORTED, "martian" },
		{ "<memballoon/>", VIR_ERR_XML_ERROR, "Missing required attribute 'model' in element 'memballoon'" },
		{ "<memballoon model='huge'/>", VIR_ERR_XML_ERROR, "huge" },
		{ "<input type='joystick'/>", VIR_ERR_CONFIG_UNSUPPORTED, "joystick" },
		{ "<input bus='ps2'/>", VIR_ERR_INTERNAL_ERROR, "missing input device type" },
		{ "<rng model='virtio'/>", VIR_ERR_XML_ERROR, "backend" },
		{ "<disk type='file'><target dev='zzz'/></disk>", VIR_ERR_XML_ERROR, "Unknown disk name 'zzz'" },
		{ "<disk type='file'><target dev='vda'/><boot order='1'/></disk>", VIR_ERR_CONFIG_UNSUPPORTED, "per-device boot" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *xml = with_devices(cases[i].xml);
		/* MINIMAL_HEAD has no <boot>, so add one for the per-device case */
		if (strstr(cases[i].xml, "<boot order")) {
			g_autofree char *b = g_strdup(xml);
			g_free(xml);
			char *p = strstr(b, "</os>");
			xml = g_strdup_printf("%.*s<boot dev='hd'/>%s", (int)(p - b), b, p);
		}
		g_test_message("device %s", cases[i].xml);
		parse_fails(xml, 0, cases[i].code, cases[i].part);
	}
}

static void test_disk_net_details(void)
{
	g_autofree char *xml = with_devices(
		"<disk type='block' device='disk'><source dev='/dev/sdb'/><target dev='vdb'/><serial>S1</serial>"
		"<readonly/><shareable/><boot order='2'/></disk>"
		"<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"
		"<disk type='file' device='disk'><source file='/a.img'/><target dev='sda'/></disk>"
		"<interface type='bridge'><source bridge='br0'/><mac address='00:16:3E:AA:bb:cc'/>"
		"<model type='e1000'/><boot order='1'/></interface>"
		"<interface type='user'/><interface><model type='virtio'/></interface><controller index='0'/>");
	g_autoptr(domain_def) d = parse_ok(xml, 0); /* an <interface> without type is not schema-valid */
	g_assert_cmpuint(d->ndisks, ==, 3);
	g_assert_cmpstr(d->disks[0].type, ==, "block");
	g_assert_cmpstr(d->disks[0].source, ==, "/dev/sdb");
	g_assert_cmpstr(d->disks[0].target_bus, ==, "virtio");
	g_assert_cmpstr(d->disks[0].serial, ==, "S1");
	g_assert_true(d->disks[0].readonly && d->disks[0].shareable);
	g_assert_cmpuint(d->disks[0].boot_order, ==, 2);
	g_assert_null(d->disks[0].driver_type);
	g_assert_cmpstr(d->disks[1].device, ==, "cdrom");
	g_assert_null(d->disks[1].source);
	g_assert_cmpstr(d->disks[2].target_bus, ==, "scsi");
	g_assert_cmpuint(d->nnets, ==, 3);
	g_assert_cmpstr(d->nets[2].type, ==, "user"); /* libvirt's default type */
	g_assert_cmpuint(d->ncontrollers, ==, 1);
	g_assert_cmpstr(d->controllers[0].type, ==, "ide");
	g_assert_cmpstr(d->nets[0].mac, ==, "00:16:3e:aa:bb:cc");
	g_assert_cmpstr(d->nets[0].source, ==, "br0");
	g_assert_cmpstr(d->nets[0].model, ==, "e1000");
	g_assert_true(g_str_has_prefix(d->nets[1].mac, "52:54:00:"));
	/* per-device boot order: no default <boot dev='hd'/> */
	g_assert_null(d->boot_devs[0]);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	g_assert_null(strstr(x, "<boot dev="));
	assert_contains(x, "<source dev='/dev/sdb'/>");
	assert_valid(x);
	g_autoptr(domain_def) again = parse_ok(x, 0);
	g_assert_true(domain_def_equal(d, again));
	g_assert_cmpstr(again->nets[1].mac, ==, d->nets[1].mac);
}

/* What virt-install 4.1 sends for a non-qemu URI (spec §4.3). */
static void test_virt_install_xml(void)
{
	const char *xml =
		"<domain type=\"kvm\">\n"
		"  <name>demo</name>\n"
		"  <uuid>8b6a3a38-2f36-4a7e-9d0b-0a3c1b2d4e5f</uuid>\n"
		"  <memory>1048576</memory>\n"
		"  <currentMemory>1048576</currentMemory>\n"
		"  <vcpu>2</vcpu>\n"
		"  <os>\n"
		"    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n"
		"    <boot dev=\"hd\"/>\n"
		"  </os>\n"
		"  <features>\n"
		"    <acpi/>\n"
		"    <apic/>\n"
		"  </features>\n"
		"  <clock offset=\"utc\"/>\n"
		"  <devices>\n"
		"    <emulator>/usr/libexec/myvmm</emulator>\n"
		"    <disk type=\"file\" device=\"disk\">\n"
		"      <source file=\"/var/lib/libvirt/images/demo.img\"/>\n"
		"      <target dev=\"hda\" bus=\"ide\"/>\n"
		"    </disk>\n"
		"    <interface type=\"bridge\">\n"
		"      <source bridge=\"br0\"/>\n"
		"      <mac address=\"00:16:3e:11:22:33\"/>\n"
		"      <model type=\"e1000\"/>\n"
		"    </interface>\n"
		"    <console type=\"pty\"/>\n"
		"    <input type=\"tablet\" bus=\"usb\"/>\n"
		"    <graphics type=\"vnc\" port=\"-1\"/>\n"
		"    <video>\n"
		"      <model type=\"vga\"/>\n"
		"    </video>\n"
		"  </devices>\n"
		"</domain>\n";
	g_autoptr(domain_def) d = parse_ok(xml, DOMAIN_DEF_PARSE_VALIDATE);
	g_assert_cmpuint(d->memory_kib, ==, 1048576);
	g_assert_cmpuint(d->nserials, ==, 1);
	g_assert_null(d->disks[0].driver_type);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_check_supported(d, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_valid(x);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/parse/minimal-defaults", test_minimal_defaults);
	g_test_add_func("/conf/parse/defaults-without-devices", test_no_devices_machine_arch_defaults);
	g_test_add_func("/conf/parse/memory-units", test_memory_units);
	g_test_add_func("/conf/parse/memory-errors", test_memory_errors);
	g_test_add_func("/conf/parse/current-memory", test_current_memory);
	g_test_add_func("/conf/parse/root-name-uuid-errors", test_root_name_uuid_errors);
	g_test_add_func("/conf/parse/virt-type-arch-os", test_virt_type_arch_os);
	g_test_add_func("/conf/parse/lifecycle", test_lifecycle);
	g_test_add_func("/conf/parse/malformed", test_malformed);
	g_test_add_func("/conf/parse/malformed-is-quiet", test_malformed_is_quiet);
	g_test_add_func("/conf/parse/generated-uuid", test_generated_uuid);
	g_test_add_func("/conf/parse/validate-flag", test_validate_flag);
	g_test_add_func("/conf/parse/features-timers-memory-limits", test_features_timers_memory_limits);
	g_test_add_func("/conf/devices/parse-errors", test_device_parse_errors);
	g_test_add_func("/conf/devices/disk-net", test_disk_net_details);
	g_test_add_func("/conf/parse/virt-install", test_virt_install_xml);
	return g_test_run();
}
