/* `tandem run`: one guest in this process. Creates the machine, the I/O
 * thread (serial input, control socket, signals) and runs the vCPU loop on
 * the calling thread. Returns the process exit status. */
#ifndef TANDEM_RUN_H
#define TANDEM_RUN_H

#include "vmm/machine_config.h"

int tandem_run(struct machine_config *cfg);

#endif
