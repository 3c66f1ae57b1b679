/* Tests of domain_metadata.c: virDomainGet/SetMetadata semantics. */
#include "conf-test-util.h"

#include <libvirt/libvirt-domain.h>

static void get_fails(const struct domain_def *d, int type, const char *uri, int code)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *v = domain_def_get_metadata(d, type, uri, &err);
	g_assert_null(v);
	g_assert_error(err, CONF_ERROR, code);
}

static void set_fails(struct domain_def *d, int type, const char *value, const char *key, const char *uri,
		      int code)
{
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_set_metadata(d, type, value, key, uri, &err));
	g_assert_error(err, CONF_ERROR, code);
}

static void test_title_description(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	get_fails(d, VIR_DOMAIN_METADATA_TITLE, NULL, VIR_ERR_NO_DOMAIN_METADATA);
	get_fails(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, VIR_ERR_NO_DOMAIN_METADATA);
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_TITLE, "My <VM>", NULL, NULL, NULL));
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "two\nlines", NULL, NULL, NULL));
	g_autofree char *t = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, NULL);
	g_autofree char *s = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, NULL);
	g_assert_cmpstr(t, ==, "My <VM>");
	g_assert_cmpstr(s, ==, "two\nlines");
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "  <title>My &lt;VM&gt;</title>\n  <description>two\nlines</description>\n");
	assert_valid(x);
	set_fails(d, VIR_DOMAIN_METADATA_TITLE, "a\nb", NULL, NULL, VIR_ERR_INVALID_ARG);
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_TITLE, "", NULL, NULL, NULL));
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, NULL, NULL, NULL));
	get_fails(d, VIR_DOMAIN_METADATA_TITLE, NULL, VIR_ERR_NO_DOMAIN_METADATA);
	get_fails(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, VIR_ERR_NO_DOMAIN_METADATA);
	get_fails(d, 7, NULL, VIR_ERR_INVALID_ARG);
	set_fails(d, -1, "x", NULL, NULL, VIR_ERR_INVALID_ARG);
}

static void test_elements(void)
{
	g_autoptr(domain_def) d = parse_ok(minimal_xml, 0);
	const char *u1 = "http://app1.org/app1/", *u2 = "http://app2.org/app2/";
	get_fails(d, VIR_DOMAIN_METADATA_ELEMENT, u1, VIR_ERR_NO_DOMAIN_METADATA);
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo>fooish</foo>", "app1", u1, NULL));
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT,
					      "<bar a='b'><x>y</x></bar>", "app2", u2, NULL));
	g_autofree char *g1 = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, u1, NULL);
	/* as libvirt hands them out: without the namespace */
	g_assert_cmpstr(g1, ==, "<foo>fooish</foo>");
	g_autofree char *g2 = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, u2, NULL);
	g_assert_cmpstr(g2, ==, "<bar a=\"b\">\n  <x>y</x>\n</bar>");
	get_fails(d, VIR_DOMAIN_METADATA_ELEMENT, "urn:other", VIR_ERR_NO_DOMAIN_METADATA);
	get_fails(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, VIR_ERR_INVALID_ARG);

	/* formatted, valid, and the same after a round trip */
	g_autofree char *x = domain_def_format(d, NULL, 0);
	assert_contains(x, "  <metadata>\n    <app1:foo xmlns:app1=\"http://app1.org/app1/\">fooish</app1:foo>\n");
	assert_valid(x);
	g_autoptr(domain_def) back = parse_ok(x, DOMAIN_DEF_PARSE_VALIDATE);
	g_autofree char *b1 = domain_def_get_metadata(back, VIR_DOMAIN_METADATA_ELEMENT, u1, NULL);
	g_assert_cmpstr(b1, ==, g1);

	/* one element per namespace: setting again replaces, under a new prefix */
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<baz/>", "other", u1, NULL));
	g_autofree char *g3 = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, u1, NULL);
	g_assert_cmpstr(g3, ==, "<baz/>");
	assert_contains(d->metadata_xml, "<other:baz xmlns:other=\"http://app1.org/app1/\"/>");
	g_assert_null(strstr(d->metadata_xml, "fooish"));

	/* removing the last element removes <metadata> */
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, u1, NULL));
	get_fails(d, VIR_DOMAIN_METADATA_ELEMENT, u1, VIR_ERR_NO_DOMAIN_METADATA);
	g_assert_nonnull(d->metadata_xml);
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "", NULL, u2, NULL));
	g_assert_null(d->metadata_xml);
	g_autofree char *x2 = domain_def_format(d, NULL, 0);
	g_assert_null(strstr(x2, "metadata"));

	set_fails(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo/>", NULL, u1, VIR_ERR_INVALID_ARG);
	set_fails(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo/>", "bad key", u1, VIR_ERR_INTERNAL_ERROR);
	set_fails(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo/>", "k", NULL, VIR_ERR_INVALID_ARG);
	g_autoptr(GError) err = NULL;
	g_assert_false(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo>", "k", u1, &err));
	g_assert_error(err, CONF_ERROR, VIR_ERR_XML_DETAIL);
	g_assert_cmpstr(err->message, ==, "(metadata_xml):1: Premature end of data in tag foo line 1\n<foo>\n-----^");
	g_assert_null(d->metadata_xml);
}

/* Elements from the parsed XML, in whatever prefix they were written. */
static void test_parsed_elements(void)
{
	g_autoptr(domain_def) d = parse_ok(
		"<domain type='kvm' xmlns:top='urn:top'><name>m</name><memory>65536</memory>"
		"<metadata><top:thing>t</top:thing><n:x xmlns:n='urn:n'/><n:y xmlns:n='urn:n2'><n:z a='1'>z</n:z></n:y></metadata>"
		"<os><type>hvm</type></os></domain>", 0);
	g_autofree char *t = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "urn:top", NULL);
	g_assert_cmpstr(t, ==, "<thing>t</thing>");
	g_assert_true(domain_def_set_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, "urn:top", NULL));
	g_autofree char *n = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "urn:n", NULL);
	g_assert_cmpstr(n, ==, "<x/>");
	get_fails(d, VIR_DOMAIN_METADATA_ELEMENT, "urn:top", VIR_ERR_NO_DOMAIN_METADATA);
	g_autofree char *y = domain_def_get_metadata(d, VIR_DOMAIN_METADATA_ELEMENT, "urn:n2", NULL);
	g_assert_cmpstr(y, ==, "<y>\n  <z a=\"1\">z</z>\n</y>");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/conf/metadata/title-description", test_title_description);
	g_test_add_func("/conf/metadata/elements", test_elements);
	g_test_add_func("/conf/metadata/parsed-elements", test_parsed_elements);
	return g_test_run();
}
