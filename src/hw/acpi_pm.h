/* ACPI fixed-hardware PM registers at PORT_ACPI_PM (0x600), as the FADT
 * built by the boot loader describes them:
 *
 *   +0  PM1a_EVT_BLK  PM1_STS (16-bit, write 1 to clear): TMR_STS bit 0,
 *                     PWRBTN_STS bit 8, WAK_STS bit 15;
 *       +2            PM1_EN (16-bit): TMR_EN bit 0, PWRBTN_EN bit 8
 *   +4  PM1a_CNT_BLK  SCI_EN bit 0 (set at reset: there is no SMI_CMD, the
 *                     machine is always in ACPI mode), SLP_TYP bits 10-12,
 *                     SLP_EN bit 13 (write-only)
 *   +8  PM_TMR_BLK    32-bit read: 24-bit counter at 3.579545 MHz of guest
 *                     time; TMR_STS is set each time its bit 23 toggles
 *
 * Writing SLP_EN with SLP_TYP == ACPI_S5_SLP_TYP asks the machine to power
 * off. Other sleep states are not implemented: the write sets WAK_STS at
 * once ("woke up immediately") so that a guest waiting for it goes on.
 *
 * The SCI (IRQ_SCI, level) is high while SCI_EN is set and PM1_STS & PM1_EN
 * has TMR_STS or PWRBTN_STS. Any access width (1, 2, 4) at any offset of
 * the 16-byte block is accepted.
 *
 * No locking: the caller holds the machine lock. */
#ifndef TANDEM_HW_ACPI_PM_H
#define TANDEM_HW_ACPI_PM_H

#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/vclock.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_TMR_HZ 3579545ULL

struct acpi_pm;

/* poweroff is called for an S5 request. The block adds a vtimer to clock
 * (removed again by acpi_pm_destroy). */
struct acpi_pm *acpi_pm_create(struct vclock *clock, struct irq_line sci,
			       void (*poweroff)(void *opaque), void *opaque);
/* Claims [PORT_ACPI_PM, PORT_ACPI_PM + PORT_ACPI_PM_LEN). */
bool acpi_pm_register(struct acpi_pm *pm, struct bus *pio, GError **err);
void acpi_pm_reset(struct acpi_pm *pm);
void acpi_pm_destroy(struct acpi_pm *pm);

/* The power button was pressed (virsh shutdown): sets PWRBTN_STS. */
void acpi_pm_power_button(struct acpi_pm *pm);

io_handler_fn acpi_pm_io;

#endif
