/* The control socket speaks QMP-style JSON on a real unix socket. */
#include "vmm/control.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

struct fake {
	const char *status;
	int stops, conts, powerdowns, resets, quits;
};

static const char *f_status(void *o) { return ((struct fake *)o)->status; }
static void f_stop(void *o) { ((struct fake *)o)->stops++; }
static void f_cont(void *o) { ((struct fake *)o)->conts++; }
static void f_powerdown(void *o) { ((struct fake *)o)->powerdowns++; }
static void f_reset(void *o) { ((struct fake *)o)->resets++; }
static void f_quit(void *o) { ((struct fake *)o)->quits++; }
static const char *f_pty(void *o) { return "/dev/pts/42"; }

struct server {
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	struct control *ctl;
	struct fake fake;
	char *dir, *path;
};

static gpointer server_thread(gpointer data)
{
	struct server *s = data;
	g_main_context_push_thread_default(s->ctx);
	g_main_loop_run(s->loop);
	g_main_context_pop_thread_default(s->ctx);
	return NULL;
}

static void server_start(struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->fake.status = "running";
	s->dir = g_dir_make_tmp("tandem-control-XXXXXX", NULL);
	s->path = g_build_filename(s->dir, "qmp.sock", NULL);
	s->ctx = g_main_context_new();
	s->loop = g_main_loop_new(s->ctx, FALSE);
	struct control_ops ops = {
		.opaque = &s->fake, .status = f_status, .stop = f_stop, .cont = f_cont,
		.powerdown = f_powerdown, .reset = f_reset, .quit = f_quit, .pty_path = f_pty,
	};
	GError *err = NULL;
	s->ctl = control_start(s->path, s->ctx, &ops, &err);
	g_assert_no_error(err);
	s->thread = g_thread_new("ctl", server_thread, s);
}

static void server_stop(struct server *s)
{
	g_main_loop_quit(s->loop);
	g_thread_join(s->thread);
	control_stop(s->ctl);
	g_main_loop_unref(s->loop);
	g_main_context_unref(s->ctx);
	g_rmdir(s->dir);
	g_free(s->path);
	g_free(s->dir);
}

struct client {
	GSocketConnection *conn;
	GDataInputStream *in;
	GOutputStream *out;
};

static void client_open(struct client *c, const char *path)
{
	g_autoptr(GSocketClient) sc = g_socket_client_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	GError *err = NULL;
	c->conn = g_socket_client_connect(sc, G_SOCKET_CONNECTABLE(addr), NULL, &err);
	g_assert_no_error(err);
	c->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(c->conn)));
	c->out = g_io_stream_get_output_stream(G_IO_STREAM(c->conn));
}

static char *client_line(struct client *c)
{
	char *l = g_data_input_stream_read_line(c->in, NULL, NULL, NULL);
	g_assert_nonnull(l);
	return g_strstrip(l);
}

static char *client_cmd(struct client *c, const char *json)
{
	g_autofree char *line = g_strconcat(json, "\r\n", NULL);
	g_assert_true(g_output_stream_write_all(c->out, line, strlen(line), NULL, NULL, NULL));
	return client_line(c);
}

static void client_close(struct client *c)
{
	g_object_unref(c->in);
	g_object_unref(c->conn);
}

static void test_greeting_and_commands(void)
{
	struct server s;
	struct client c;
	server_start(&s);
	client_open(&c, s.path);
	g_autofree char *greet = client_line(&c);
	g_assert_nonnull(strstr(greet, "\"QMP\""));

	g_autofree char *early = client_cmd(&c, "{\"execute\": \"query-status\"}");
	g_assert_nonnull(strstr(early, "qmp_capabilities"));
	g_autofree char *caps = client_cmd(&c, "{\"execute\": \"qmp_capabilities\", \"id\": 7}");
	g_assert_cmpstr(caps, ==, "{\"return\":{},\"id\":7}");

	g_autofree char *st = client_cmd(&c, "{\"execute\": \"query-status\"}");
	g_assert_cmpstr(st, ==, "{\"return\":{\"status\":\"running\",\"running\":true}}");
	g_autofree char *cd = client_cmd(&c, "{\"execute\": \"query-chardev\"}");
	g_assert_nonnull(strstr(cd, "pty:/dev/pts/42"));

	g_free(client_cmd(&c, "{\"execute\": \"stop\"}"));
	g_free(client_cmd(&c, "{\"execute\": \"cont\"}"));
	g_free(client_cmd(&c, "{\"execute\": \"system_powerdown\"}"));
	g_free(client_cmd(&c, "{\"execute\": \"system_reset\"}"));
	g_free(client_cmd(&c, "{\"execute\": \"quit\"}"));
	g_assert_cmpint(s.fake.stops, ==, 1);
	g_assert_cmpint(s.fake.conts, ==, 1);
	g_assert_cmpint(s.fake.powerdowns, ==, 1);
	g_assert_cmpint(s.fake.resets, ==, 1);
	g_assert_cmpint(s.fake.quits, ==, 1);

	g_autofree char *bad = client_cmd(&c, "{\"execute\": \"no-such\"}");
	g_assert_nonnull(strstr(bad, "\"error\""));
	g_autofree char *junk = client_cmd(&c, "this is not json");
	g_assert_nonnull(strstr(junk, "\"error\""));
	g_autofree char *arr = client_cmd(&c, "[1,2]");
	g_assert_nonnull(strstr(arr, "expected a JSON object"));

	/* events reach a negotiated client */
	control_emit(s.ctl, "SHUTDOWN", "guest-shutdown", TRUE);
	control_flush(s.ctl);
	g_autofree char *ev = client_line(&c);
	g_assert_nonnull(strstr(ev, "\"event\":\"SHUTDOWN\""));
	g_assert_nonnull(strstr(ev, "\"reason\":\"guest-shutdown\""));
	client_close(&c);
	server_stop(&s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/control/greeting-and-commands", test_greeting_and_commands);
	return g_test_run();
}
