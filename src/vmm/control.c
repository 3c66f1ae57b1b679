#include "vmm/control.h"

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

struct control_client {
	struct control *ctl;
	GSocketConnection *conn;
	GDataInputStream *in;
	GCancellable *cancel;
	bool negotiated;
};

struct control {
	char *path;
	GMainContext *ctx;
	struct control_ops ops;
	GSocketService *service;
	GList *clients;            /* struct control_client *, touched on ctx only */
	GMutex pending_lock;
	guint pending;             /* events queued but not yet written */
	GCond pending_cond;
};

static void client_free(struct control_client *cl)
{
	cl->ctl->clients = g_list_remove(cl->ctl->clients, cl);
	g_cancellable_cancel(cl->cancel);
	g_object_unref(cl->cancel);
	g_io_stream_close(G_IO_STREAM(cl->conn), NULL, NULL);
	g_object_unref(cl->in);
	g_object_unref(cl->conn);
	g_free(cl);
}

static void client_send(struct control_client *cl, JsonNode *node)
{
	g_autofree char *text = json_to_string(node, FALSE);
	g_autofree char *line = g_strconcat(text, "\r\n", NULL);
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(cl->conn));
	g_output_stream_write_all(out, line, strlen(line), NULL, NULL, NULL);
}

static JsonNode *reply_new(JsonNode *ret, const char *error, JsonNode *id)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	if (error) {
		json_builder_set_member_name(b, "error");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "class");
		json_builder_add_string_value(b, "GenericError");
		json_builder_set_member_name(b, "desc");
		json_builder_add_string_value(b, error);
		json_builder_end_object(b);
	} else {
		json_builder_set_member_name(b, "return");
		if (ret)
			json_builder_add_value(b, ret);
		else {
			json_builder_begin_object(b);
			json_builder_end_object(b);
		}
	}
	if (id) {
		json_builder_set_member_name(b, "id");
		json_builder_add_value(b, json_node_copy(id));
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static JsonNode *status_node(struct control *c)
{
	const char *st = c->ops.status(c->ops.opaque);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, st);
	json_builder_set_member_name(b, "running");
	json_builder_add_boolean_value(b, !strcmp(st, "running"));
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static JsonNode *chardev_node(struct control *c)
{
	const char *pty = c->ops.pty_path(c->ops.opaque);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "label");
	json_builder_add_string_value(b, "serial0");
	json_builder_set_member_name(b, "filename");
	g_autofree char *fn = pty ? g_strconcat("pty:", pty, NULL) : g_strdup("none");
	json_builder_add_string_value(b, fn);
	json_builder_end_object(b);
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

/* Executes one command line; returns the reply. */
static JsonNode *control_execute(struct control_client *cl, const char *line)
{
	struct control *c = cl->ctl;
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) err = NULL;
	if (!json_parser_load_from_data(p, line, -1, &err))
		return reply_new(NULL, err->message, NULL);
	JsonNode *root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return reply_new(NULL, "expected a JSON object", NULL);
	JsonObject *o = json_node_get_object(root);
	JsonNode *id = json_object_get_member(o, "id");
	JsonNode *exe = json_object_get_member(o, "execute");
	if (!exe || json_node_get_value_type(exe) != G_TYPE_STRING)
		return reply_new(NULL, "missing 'execute'", id);
	const char *cmd = json_node_get_string(exe);
	if (!strcmp(cmd, "qmp_capabilities")) {
		cl->negotiated = true;
		return reply_new(NULL, NULL, id);
	}
	if (!cl->negotiated)
		return reply_new(NULL, "expecting capabilities negotiation with 'qmp_capabilities'", id);
	if (!strcmp(cmd, "query-status"))
		return reply_new(status_node(c), NULL, id);
	if (!strcmp(cmd, "query-chardev"))
		return reply_new(chardev_node(c), NULL, id);
	if (!strcmp(cmd, "stop"))
		c->ops.stop(c->ops.opaque);
	else if (!strcmp(cmd, "cont"))
		c->ops.cont(c->ops.opaque);
	else if (!strcmp(cmd, "system_powerdown"))
		c->ops.powerdown(c->ops.opaque);
	else if (!strcmp(cmd, "system_reset"))
		c->ops.reset(c->ops.opaque);
	else if (!strcmp(cmd, "quit"))
		c->ops.quit(c->ops.opaque);
	else {
		g_autofree char *msg = g_strdup_printf("The command %s has not been found", cmd);
		return reply_new(NULL, msg, id);
	}
	return reply_new(NULL, NULL, id);
}

static void client_read(GObject *src, GAsyncResult *res, gpointer data);

static void client_next(struct control_client *cl)
{
	g_data_input_stream_read_line_async(cl->in, G_PRIORITY_DEFAULT, cl->cancel, client_read, cl);
}

static void client_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct control_client *cl = data;
	g_autoptr(GError) err = NULL;
	gsize len = 0;
	g_autofree char *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(src), res, &len, &err);
	if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;  /* client_free already ran */
	if (!line) {
		client_free(cl);
		return;
	}
	g_strstrip(line);
	if (*line) {
		g_autoptr(JsonNode) reply = control_execute(cl, line);
		client_send(cl, reply);
	}
	client_next(cl);
}

static gboolean control_incoming(GSocketService *svc, GSocketConnection *conn, GObject *src, gpointer data)
{
	struct control *c = data;
	struct control_client *cl = g_new0(struct control_client, 1);
	cl->ctl = c;
	cl->conn = g_object_ref(conn);
	cl->cancel = g_cancellable_new();
	cl->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_data_input_stream_set_newline_type(cl->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	c->clients = g_list_prepend(c->clients, cl);

	g_autoptr(JsonParser) p = json_parser_new();
	json_parser_load_from_data(p, "{\"QMP\": {\"version\": {\"tandem\": \"" PACKAGE_VERSION "\"}, \"capabilities\": []}}",
				   -1, NULL);
	client_send(cl, json_parser_get_root(p));
	client_next(cl);
	return TRUE;
}

struct control *control_start(const char *path, GMainContext *ctx, const struct control_ops *ops, GError **err)
{
	struct control *c = g_new0(struct control, 1);
	c->path = g_strdup(path);
	c->ctx = g_main_context_ref(ctx);
	c->ops = *ops;
	g_mutex_init(&c->pending_lock);
	g_cond_init(&c->pending_cond);

	unlink(path);
	g_main_context_push_thread_default(ctx);
	c->service = g_socket_service_new();
	g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
	bool ok = g_socket_listener_add_address(G_SOCKET_LISTENER(c->service), addr, G_SOCKET_TYPE_STREAM,
						G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, err);
	if (ok) {
		g_signal_connect(c->service, "incoming", G_CALLBACK(control_incoming), c);
		g_socket_service_start(c->service);
	}
	g_main_context_pop_thread_default(ctx);
	if (!ok) {
		g_prefix_error(err, "cannot listen on control socket %s: ", path);
		control_stop(c);
		return NULL;
	}
	return c;
}

struct control_event {
	struct control *ctl;
	char *event;
	char *reason;
	gboolean guest;
};

static gboolean control_send_event(gpointer data)
{
	struct control_event *ev = data;
	struct control *c = ev->ctl;
	gint64 now = g_get_real_time();
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, ev->event);
	json_builder_set_member_name(b, "data");
	json_builder_begin_object(b);
	if (ev->reason) {
		json_builder_set_member_name(b, "guest");
		json_builder_add_boolean_value(b, ev->guest);
		json_builder_set_member_name(b, "reason");
		json_builder_add_string_value(b, ev->reason);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "timestamp");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "seconds");
	json_builder_add_int_value(b, now / G_USEC_PER_SEC);
	json_builder_set_member_name(b, "microseconds");
	json_builder_add_int_value(b, now % G_USEC_PER_SEC);
	json_builder_end_object(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	for (GList *l = c->clients; l; l = l->next) {
		struct control_client *cl = l->data;
		if (cl->negotiated)
			client_send(cl, node);
	}
	g_free(ev->event);
	g_free(ev->reason);
	g_free(ev);
	g_mutex_lock(&c->pending_lock);
	c->pending--;
	g_cond_broadcast(&c->pending_cond);
	g_mutex_unlock(&c->pending_lock);
	return G_SOURCE_REMOVE;
}

void control_emit(struct control *c, const char *event, const char *reason, gboolean guest)
{
	if (!c)
		return;
	struct control_event *ev = g_new0(struct control_event, 1);
	ev->ctl = c;
	ev->event = g_strdup(event);
	ev->reason = g_strdup(reason);
	ev->guest = guest;
	g_mutex_lock(&c->pending_lock);
	c->pending++;
	g_mutex_unlock(&c->pending_lock);
	g_main_context_invoke(c->ctx, control_send_event, ev);
}

void control_flush(struct control *c)
{
	if (!c)
		return;
	gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC;
	g_mutex_lock(&c->pending_lock);
	while (c->pending && g_cond_wait_until(&c->pending_cond, &c->pending_lock, until))
		;
	g_mutex_unlock(&c->pending_lock);
}

void control_stop(struct control *c)
{
	if (!c)
		return;
	while (c->clients)
		client_free(c->clients->data);
	if (c->service) {
		g_socket_service_stop(c->service);
		g_socket_listener_close(G_SOCKET_LISTENER(c->service));
		g_object_unref(c->service);
		unlink(c->path);
	}
	g_main_context_unref(c->ctx);
	g_mutex_clear(&c->pending_lock);
	g_cond_clear(&c->pending_cond);
	g_free(c->path);
	g_free(c);
}
