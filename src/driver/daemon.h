/* daemon: process-level setup of virttandemd: options, paths (system,
 * session, or everything under --root), the pidfile lock that keeps two
 * daemons off the same guests, listening sockets (own or systemd's), the
 * idle timeout of autospawned session daemons. */
#ifndef TANDEM_DAEMON_H
#define TANDEM_DAEMON_H

int daemon_main(int argc, char **argv);

#endif
