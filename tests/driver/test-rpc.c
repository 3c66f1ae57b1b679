/* XDR encodings of rpcgen's output from tandem_protocol.x, checked against
 * byte sequences seen on the wire between libvirt 9.0 clients and libvirtd
 * (libvirt-rpc-protocol.md, "verified" vectors). */
#include <glib.h>
#include <string.h>

#include "tandem_protocol.h"

static GBytes *encode(xdrproc_t proc, void *obj)
{
	size_t n = xdr_sizeof(proc, obj);
	guint8 *buf = g_malloc0(n);
	XDR x;
	xdrmem_create(&x, (char *)buf, (u_int)n, XDR_ENCODE);
	g_assert_true(proc(&x, obj, 0));
	g_assert_cmpuint(xdr_getpos(&x), ==, n);
	xdr_destroy(&x);
	return g_bytes_new_take(buf, n);
}

static void assert_hex(GBytes *b, const char *hex)
{
	gsize n;
	const guint8 *p = g_bytes_get_data(b, &n);
	GString *s = g_string_new(NULL);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", p[i]);
	g_autofree char *want = g_strdup(hex);
	char *w = want, *r = want;
	for (; *r; r++)
		if (*r != ' ' && *r != '|')
			*w++ = *r;
	*w = 0;
	g_assert_cmpstr(s->str, ==, want);
	g_string_free(s, TRUE);
	g_bytes_unref(b);
}

static const unsigned char uuid_vm1[16] = { 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33,
					    0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55 };

static void test_domain(void)
{
	tandem_nonnull_domain d = { .name = (char *)"vm1", .id = -1 };
	memcpy(d.uuid, uuid_vm1, 16);
	assert_hex(encode((xdrproc_t)xdr_tandem_nonnull_domain, &d),
		   "00000003 766d3100 11111111222233334444555555555555 ffffffff");
}

static void test_list_all(void)
{
	static const unsigned char u[16] = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
					     0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f };
	tandem_nonnull_domain d = { .name = (char *)"test", .id = 1 };
	memcpy(d.uuid, u, 16);
	tandem_list_all_domains_ret r = { .domains = { 1, &d }, .ret = 1 };
	assert_hex(encode((xdrproc_t)xdr_tandem_list_all_domains_ret, &r),
		   "00000001 | 00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001 | 00000001");
	tandem_list_all_domains_args a = { .need_results = 1, .flags = 3 };
	assert_hex(encode((xdrproc_t)xdr_tandem_list_all_domains_args, &a), "00000001 00000003");
}

static void test_open(void)
{
	char *uri = (char *)"rsrch:///system";
	tandem_open_args a = { .name = &uri, .flags = 0 };
	assert_hex(encode((xdrproc_t)xdr_tandem_open_args, &a),
		   "00000001 0000000f 72737263683a2f2f2f73797374656d00 00000000");
}

static void test_sizes(void)
{
	tandem_node_get_info_ret ni = { .memory = 1 };
	g_strlcpy(ni.model, "x86_64", sizeof(ni.model));
	g_assert_cmpuint(xdr_sizeof((xdrproc_t)xdr_tandem_node_get_info_ret, &ni), ==, 160);
	tandem_domain_get_info_ret gi = { .state = 5, .maxMem = 0x80000, .memory = 0x80000, .nrVirtCpu = 2 };
	assert_hex(encode((xdrproc_t)xdr_tandem_domain_get_info_ret, &gi),
		   "00000005 0000000000080000 0000000000080000 00000002 0000000000000000");
	tandem_domain_get_state_ret st = { .state = 1, .reason = 0 };
	assert_hex(encode((xdrproc_t)xdr_tandem_domain_get_state_ret, &st), "00000001 00000000");
	int none = 0;
	tandem_auth_list_ret al = { .types = { 1, &none } };
	assert_hex(encode((xdrproc_t)xdr_tandem_auth_list_ret, &al), "00000001 00000000");
}

static void test_lifecycle_event(void)
{
	tandem_event_callback_lifecycle_msg m = {
		.callbackID = 0x37,
		.msg = { .dom = { .name = (char *)"vm1", .id = -1 }, .event = 0, .detail = 0 },
	};
	memcpy(m.msg.dom.uuid, uuid_vm1, 16);
	assert_hex(encode((xdrproc_t)xdr_tandem_event_callback_lifecycle_msg, &m),
		   "00000037 00000003 766d3100 11111111222233334444555555555555 ffffffff 00000000 00000000");
	tandem_header h = { .prog = TANDEM_PROGRAM, .vers = 1, .proc = 318, .type = 2, .serial = 1 };
	assert_hex(encode((xdrproc_t)xdr_tandem_header, &h),
		   "20008086 00000001 0000013e 00000002 00000001 00000000");
}

static void test_error(void)
{
	char *msg = (char *)"Domain not found";
	tandem_error e = { .code = 42, .domain = 12, .message = &msg, .level = 2, .str1 = &msg,
			   .int1 = -1, .int2 = -1 };
	assert_hex(encode((xdrproc_t)xdr_tandem_error, &e),
		   "0000002a 0000000c 00000001 00000010 446f6d61696e206e6f7420666f756e64 00000002 00000000 "
		   "00000001 00000010 446f6d61696e206e6f7420666f756e64 00000000 00000000 ffffffff ffffffff 00000000");
}

static void test_decode_rejects(void)
{
	/* a string longer than the buffer must fail, not overrun */
	guint8 bad[8] = { 0x00, 0x00, 0x10, 0x00, 'a', 'b', 'c', 'd' };
	tandem_lookup_by_name_args a = { 0 };
	XDR x;
	xdrmem_create(&x, (char *)bad, sizeof(bad), XDR_DECODE);
	g_assert_false(xdr_tandem_lookup_by_name_args(&x, &a));
	xdr_destroy(&x);
	xdr_free((xdrproc_t)xdr_tandem_lookup_by_name_args, (char *)&a);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/driver/rpc/domain", test_domain);
	g_test_add_func("/driver/rpc/list-all", test_list_all);
	g_test_add_func("/driver/rpc/open", test_open);
	g_test_add_func("/driver/rpc/sizes", test_sizes);
	g_test_add_func("/driver/rpc/lifecycle-event", test_lifecycle_event);
	g_test_add_func("/driver/rpc/error", test_error);
	g_test_add_func("/driver/rpc/decode-rejects", test_decode_rejects);
	return g_test_run();
}
