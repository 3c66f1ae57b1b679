/* Tests of domain_def.c: UUIDs, copy and comparison. */
#include "conf-test-util.h"

static void test_uuid_text(void)
{
	unsigned char u[16];
	g_assert_true(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db1809", u));
	g_autofree char *s = domain_uuid_format(u);
	g_assert_cmpstr(s, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
	unsigned char v[16];
	g_assert_true(domain_uuid_parse("  C7A5FDBDEDAF9455926AD65C16DB1809\n", v));
	g_assert_cmpmem(u, 16, v, 16);
	g_assert_false(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db18", v));
	g_assert_false(domain_uuid_parse("c7a5fdbd-edaf-9455-926a-d65c16db1809ff", v));
	g_assert_false(domain_uuid_parse("-c7a5fdbd-edaf-9455-926a-d65c16db1809", v));
	g_assert_false(domain_uuid_parse("g7a5fdbd-edaf-9455-926a-d65c16db1809", v));
	g_assert_false(domain_uuid_parse(NULL, v));
}

static void test_copy_equal_free(void)
{
	g_autofree char *xml = with_devices(
		"<disk type='file'><source file='/a.img'/><target dev='vda'/></disk>"
		"<interface type='user'/><serial type='file'><source path='/tmp/s'/></serial>"
		"<console type='pty'><target type='virtio'/></console><input type='mouse'/>"
		"<controller type='pci' model='pci-root'/><rng model='virtio'><backend model='random'/></rng>"
		"<graphics type='vnc'/><video><model type='vga'/></video>");
	g_autoptr(domain_def) d = parse_ok(xml, 0);
	g_autoptr(domain_def) c = domain_def_copy(d);
	g_assert_true(domain_def_equal(d, c));
	g_assert_true(domain_def_equal(c, d));
	g_assert_cmpmem(c->uuid, 16, d->uuid, 16);
	g_assert_cmpstr(c->nets[0].mac, ==, d->nets[0].mac);
	g_assert_true(c->disks != d->disks && c->disks[0].source != d->disks[0].source);
	/* each field that formats is compared */
	c->vcpus = 2;
	c->vcpus_current = 2;
	g_assert_false(domain_def_equal(d, c));
	g_autoptr(domain_def) e = domain_def_copy(d);
	e->acpi = !e->acpi;
	g_assert_false(domain_def_equal(d, e));
	g_autoptr(domain_def) f = domain_def_copy(d);
	g_free(f->serials[0].source_path);
	f->serials[0].source_path = g_strdup("/tmp/other");
	g_assert_false(domain_def_equal(d, f));
	/* secrets are copied too */
	g_autofree char *gx = with_devices("<graphics type='vnc' passwd='s3cret'/>");
	g_autoptr(domain_def) g = parse_ok(gx, 0);
	g_autoptr(domain_def) gc = domain_def_copy(g);
	g_autofree char *gcx = domain_def_format(gc, NULL, DOMAIN_XML_SECURE);
	assert_contains(gcx, "passwd='s3cret'");
	domain_def_free(NULL);
	g_assert_cmpstr(domain_lifecycle_action_name(LIFECYCLE_RENAME_RESTART), ==, "rename-restart");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/uuid/text", test_uuid_text);
	g_test_add_func("/conf/def/copy-equal-free", test_copy_equal_free);
	return g_test_run();
}
