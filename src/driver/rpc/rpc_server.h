/* rpc_server: the libvirt RPC transport of virttandemd.
 *
 * Listens on AF_UNIX sockets (accepted from the GLib main loop), runs one
 * reader thread per connection that frames packets (length word 28..32 MiB+4,
 * anything else closes only that connection), answers keepalive PINGs at
 * once, hands stream packets to their stream and CALLs to a worker pool, so
 * several calls can be in flight per connection and a slow call never
 * delays a PONG. Every packet to a client is written under that client's
 * write lock, so replies, events and stream data never interleave. */
#ifndef TANDEM_RPC_SERVER_H
#define TANDEM_RPC_SERVER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <rpc/rpc.h>

#include "tandem_protocol.h"

#define RPC_LEN_MIN 28
#define RPC_LEN_MAX (33554432 + 4)
#define RPC_STREAM_CHUNK 262120

enum rpc_type {
	RPC_CALL = 0, RPC_REPLY = 1, RPC_MESSAGE = 2, RPC_STREAM = 3,
	RPC_CALL_WITH_FDS = 4, RPC_REPLY_WITH_FDS = 5, RPC_STREAM_HOLE = 6,
};
enum rpc_status { RPC_OK = 0, RPC_ERROR = 1, RPC_CONTINUE = 2 };

struct rpc_client;
struct rpc_server;

/* A stream bound to (proc, serial) on one client; owned by its creator. */
struct rpc_stream_ops {
	/* client sent data (status CONTINUE) */
	void (*data)(void *opaque, const uint8_t *buf, size_t len);
	/* client finished (abort=false: status OK) or aborted (status ERROR);
	 * the server has already confirmed with STREAM/OK. */
	void (*finish)(void *opaque, bool abort);
};

struct rpc_client {
	gint refs;
	int fd;
	struct rpc_server *server;
	GMutex write_lock;
	GMutex lock;            /* protects the fields below */
	bool readonly;          /* -sock-ro or CONNECT_OPEN flag bit 0 */
	bool opened;
	bool keepalive;         /* asked about feature 10 */
	bool closed;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	uint64_t id;            /* unique per daemon run */
	GHashTable *streams;    /* serial -> struct rpc_stream_entry* */
	GThread *reader;
};

/* Called in a worker thread for each CALL of the REMOTE program; must send
 * exactly one reply (rpc_client_reply_ok / _error). */
typedef void (*rpc_call_fn)(struct rpc_client *c, const struct tandem_header *hdr,
			    const uint8_t *payload, size_t len);
/* Called once when a client goes away (reader thread). */
typedef void (*rpc_close_fn)(struct rpc_client *c);

struct rpc_server *rpc_server_new(rpc_call_fn call, rpc_close_fn close_fn, int max_workers);
/* Adds a listening socket fd (already bound and listening). */
void rpc_server_add_listener(struct rpc_server *s, int fd, bool readonly);
/* Number of connected clients (for the idle timeout). */
unsigned rpc_server_nclients(struct rpc_server *s);
/* Seconds since the last client left (0 while clients are connected). */
gint64 rpc_server_idle_since(struct rpc_server *s);

/* Optional group allowed on read-write sockets (unix_sock_group). */
void rpc_server_set_group(gid_t gid);
bool rpc_server_peer_in_group(uid_t uid, gid_t gid, pid_t pid);

struct rpc_client *rpc_client_ref(struct rpc_client *c);
void rpc_client_unref(struct rpc_client *c);
/* Shuts the connection down (the reader thread then cleans up). */
void rpc_client_close(struct rpc_client *c);

/* Sends one packet: header fields + XDR-encoded body (body may be NULL). */
bool rpc_client_send(struct rpc_client *c, uint32_t prog, int proc, int type,
		     uint32_t serial, int status, xdrproc_t body_xdr, void *body);
/* Sends raw payload bytes (stream data). */
bool rpc_client_send_raw(struct rpc_client *c, int proc, int type, uint32_t serial,
			 int status, const void *data, size_t len);

void rpc_client_reply_ok(struct rpc_client *c, const struct tandem_header *hdr,
			 xdrproc_t ret_xdr, void *ret);
void rpc_client_reply_error(struct rpc_client *c, const struct tandem_header *hdr,
			    int type, const GError *err);

/* Streams: the reader thread routes STREAM packets with this serial to ops. */
void rpc_client_add_stream(struct rpc_client *c, uint32_t serial, int proc,
			   const struct rpc_stream_ops *ops, void *opaque);
void rpc_client_remove_stream(struct rpc_client *c, uint32_t serial);

#endif
