/* events: domain event registrations per client and their delivery.
 * Callback ids are unique across the daemon; a client's registrations go
 * away with the client. Lifecycle events go to every matching registration
 * (callback API: proc 318; legacy API: proc 107). */
#ifndef TANDEM_EVENTS_H
#define TANDEM_EVENTS_H

#include <stdbool.h>
#include "driver/rpc/rpc_server.h"

struct domain;

/* Returns the callback id; dom_uuid NULL = all domains. */
int events_register(struct rpc_client *c, int event_id, const unsigned char *dom_uuid);
bool events_deregister(struct rpc_client *c, int callback_id);
/* Legacy (no callback id): at most one registration per (client, event). */
void events_register_legacy(struct rpc_client *c, int event_id);
bool events_deregister_legacy(struct rpc_client *c, int event_id);
void events_client_gone(struct rpc_client *c);

/* Snapshot-based emitters: name/uuid/id as the client should see them. */
void events_lifecycle(const char *name, const unsigned char uuid[16], int id, int event, int detail);
void events_reboot(const char *name, const unsigned char uuid[16], int id);

#endif
