/* dispatch: the REMOTE program's procedure table. Each CALL is decoded
 * with its rpcgen XDR routine, checked (connection open, read-only
 * denials), handed to one API function (api_*.c), and answered with the
 * encoded ret or a remote_error. Unknown procedures get VIR_ERR_NO_SUPPORT
 * and the connection stays open. */
#ifndef TANDEM_DISPATCH_H
#define TANDEM_DISPATCH_H

#include "driver/rpc/rpc_server.h"

struct console;

/* What an API function sees of the call it serves. */
struct call {
	struct rpc_client *client;
	const struct tandem_header *hdr;
	struct console *console;        /* set by OPEN_CONSOLE: started after the reply */
};

typedef bool (*api_fn)(struct call *call, void *args, void *ret, GError **err);

void dispatch_call(struct rpc_client *c, const struct tandem_header *hdr,
		   const uint8_t *payload, size_t len);
void dispatch_client_closed(struct rpc_client *c);

/* daemon-wide settings the APIs need */
struct dispatch_config {
	bool session;           /* URIs are tandem:///session */
};
extern struct dispatch_config dispatch_config;

#endif
