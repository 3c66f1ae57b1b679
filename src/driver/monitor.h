/* monitor: client of tandem's control socket (QMP-style JSON lines).
 * A reader thread parses replies and events; commands wait for their reply
 * (10 s at most). Events and EOF are handed to process.c on the main loop,
 * never on the reader thread, so a command issued under a domain lock can
 * always receive its reply. */
#ifndef TANDEM_MONITOR_H
#define TANDEM_MONITOR_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

struct domain;
struct monitor;

/* Connects (retrying until timeout_ms), reads the greeting, negotiates
 * capabilities. The monitor keeps a reference on d. */
struct monitor *monitor_open(struct domain *d, const char *path, int timeout_ms, GError **err);
/* Runs one command; returns the "return" member (caller unrefs) or NULL
 * with err (VIR_ERR_OPERATION_FAILED carrying tandem's description). */
JsonNode *monitor_command(struct monitor *m, const char *cmd, GError **err);
/* After tandem exited: waits (up to timeout_ms) until everything it sent
 * has been read, then tells whether it reported a guest-initiated or
 * requested power off (SHUTDOWN event other than a guest reset). */
bool monitor_saw_poweroff(struct monitor *m, int timeout_ms);
/* Stops the reader (no callbacks after this) and drops the opener's
 * reference; commands still running on other references fail. */
void monitor_close(struct monitor *m);
/* References let a command run without the domain lock held. */
struct monitor *monitor_ref(struct monitor *m);
void monitor_unref(struct monitor *m);

#endif
