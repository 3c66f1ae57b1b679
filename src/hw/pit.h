/* The 8254 programmable interval timer (ports 0x40-0x43) and System
 * Control Port B (0x61: bit 0 gate 2, bit 1 speaker enable, bit 4 refresh
 * toggle, bit 5 OUT2).
 *
 * Counters run at 1.193182 MHz of guest time (vclock); counts and OUT
 * levels are computed from guest time when read, so Linux's PIT
 * calibration loops see an exact clock. Channel 0 pulses irq0 at each
 * rising edge of OUT0 (modes 0/4 once, modes 2/3 every period, modes 1/5
 * never: their gate is tied high); a periodic timer never fires more often
 * than every PIT_MIN_PERIOD_NS so that tiny counts cannot stall the guest.
 * Runs on the vCPU thread with the machine lock held. */
#ifndef TANDEM_HW_PIT_H
#define TANDEM_HW_PIT_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/vclock.h"

#define PIT_FREQ_HZ 1193182ULL
#define PIT_MIN_PERIOD_NS 10000ULL

struct pit;
struct pit *pit_create(struct vclock *clock, struct irq_line irq0);
bool pit_register(struct pit *p, struct bus *pio, GError **err);
void pit_reset(struct pit *p);
void pit_destroy(struct pit *p);

#endif
