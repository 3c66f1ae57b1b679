/* console: DOMAIN_OPEN_CONSOLE streams. Relays the guest's serial pty to a
 * client stream both ways: guest output goes out as STREAM/CONTINUE
 * packets from a relay thread, client keystrokes are written to the pty.
 * One session per domain; FORCE ends the old one with an EOF. When the
 * guest's pty goes away (domain stopped) the client gets EOF (an empty
 * CONTINUE) and then finishes the stream itself. */
#ifndef TANDEM_CONSOLE_H
#define TANDEM_CONSOLE_H

#include <glib.h>
#include <stdbool.h>
#include "driver/rpc/rpc_server.h"

struct domain;
struct console;

/* d->lock held; the domain must be active with a pty. */
struct console *console_open(struct domain *d, struct rpc_client *c, const struct tandem_header *hdr,
			     const char *dev_name, unsigned flags, GError **err);
/* Starts relaying (after the REPLY has been sent). */
void console_start(struct console *con);
/* d->lock held: the domain stopped. */
void console_domain_stopped(struct domain *d);

#endif
