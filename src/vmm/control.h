/* The control socket: QMP-style JSON over a unix socket, served on the I/O
 * thread. On connect the server greets with {"QMP": {...}}; a client sends
 * {"execute": "qmp_capabilities"} and then commands:
 *   query-status, stop, cont, system_powerdown, system_reset, quit,
 *   query-chardev
 * Replies are {"return": ...} or {"error": {"class", "desc"}}, echoing "id".
 * Events are {"event": NAME, "data": {...}, "timestamp": {...}} lines:
 *   SHUTDOWN (data.reason: guest-shutdown, guest-reset, guest-panic,
 *   host-qmp-quit, host-signal, host-error), RESET, STOP, RESUME, POWERDOWN.
 * Messages end with "\r\n". See docs/tandem.1. */
#ifndef TANDEM_CONTROL_H
#define TANDEM_CONTROL_H

#include <glib.h>

struct machine;
struct control;

/* What the control socket may do to the machine (implemented in run.c). */
struct control_ops {
	void *opaque;
	const char *(*status)(void *opaque);          /* "running" / "paused" / "shutdown" */
	void (*stop)(void *opaque);
	void (*cont)(void *opaque);
	void (*powerdown)(void *opaque);
	void (*reset)(void *opaque);
	void (*quit)(void *opaque);
	const char *(*pty_path)(void *opaque);        /* NULL when the serial is not a pty */
};

struct control *control_start(const char *path, GMainContext *ctx, const struct control_ops *ops, GError **err);
/* Thread-safe: queues an event to every connected client. `reason` may be NULL. */
void control_emit(struct control *c, const char *event, const char *reason, gboolean guest);
/* Waits until queued events are written (used before exit). */
void control_flush(struct control *c);
void control_stop(struct control *c);

#endif
