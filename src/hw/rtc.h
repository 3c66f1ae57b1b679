/* MC146818-style CMOS RTC at ports 0x70 (index; bit 7 = NMI mask) and
 * 0x71 (data), 128 bytes of CMOS.
 *
 * Time: the clock registers show the host's real-time clock (UTC) at the
 * moment of the read, plus an offset the guest sets by writing the time
 * (normally with register B's SET bit held, as Linux does; while SET is
 * held the registers are frozen). Format follows register B: BCD or
 * binary, 12 or 24 hours. Century is register 0x32.
 *
 * UIP (register A bit 7) is never reported: each read computes the time
 * afresh, so there is no update window to avoid. A reader that straddles a
 * second boundary can see seconds roll over between two reads, exactly as
 * on a real part when UIP is ignored; Linux re-reads the seconds to catch
 * this.
 *
 * Interrupts, on guest time (vclock): the periodic flag at the rate in
 * register A (counted from guest time 0), the update-ended flag at every
 * guest-second boundary, the alarm flag when a displayed second passed
 * since the last update matches the alarm registers (0xC0-0xFF = don't
 * care). A vtimer runs only while PIE, UIE or AIE is set; otherwise the
 * flags are computed when register C is read. IRQ 8 is held high while C's
 * IRQF is set and dropped when C is read (the read clears all flags).
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_RTC_H
#define TANDEM_HW_RTC_H

#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/vclock.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define RTC_CMOS_SIZE 128

/* Host wall-clock source in seconds since the epoch, UTC (tests replace it). */
typedef int64_t rtc_wall_fn(void *opaque);

struct rtc;

/* The rtc adds a vtimer to clock: its destroy takes it off again. */
struct rtc *rtc_create(struct vclock *clock, struct irq_line irq);
/* Claims ports 0x70-0x71. */
bool rtc_register(struct rtc *r, struct bus *pio, GError **err);
/* Machine reset: interrupt enables and flags cleared; time and CMOS kept
 * (they are battery-backed). */
void rtc_reset(struct rtc *r);
void rtc_destroy(struct rtc *r);

/* Replaces the host clock source (NULL: the real one); the guest's offset
 * from it is kept. */
void rtc_set_wall_clock(struct rtc *r, rtc_wall_fn *fn, void *opaque);
/* The guest's current time, seconds since the epoch (UTC). */
int64_t rtc_guest_time(const struct rtc *r);
/* Whether the guest last wrote port 0x70 with bit 7 set. */
bool rtc_nmi_masked(const struct rtc *r);

/* Fills the memory-size bytes a PC BIOS leaves in CMOS: 0x15-0x16 base
 * memory (640 KiB), 0x17-0x18 and 0x30-0x31 KiB above 1 MiB (max 0xFFFF),
 * 0x34-0x35 64 KiB blocks above 16 MiB below 4 GiB, 0x5B-0x5D 64 KiB
 * blocks above 4 GiB; and the checksum of 0x10-0x2D at 0x2E-0x2F. */
void rtc_set_memory_size(struct rtc *r, uint64_t below_4g, uint64_t above_4g);

/* Raw CMOS byte (no side effects, for tests and firmware tables). */
uint8_t rtc_cmos_peek(const struct rtc *r, unsigned index);

io_handler_fn rtc_io;

#endif
