#include "hw/acpi_pm.h"

#include "vmm/layout.h"

#include <string.h>

#define STS_TMR    0x0001
#define STS_PWRBTN 0x0100
#define STS_WAK    0x8000
#define STS_MASK   (STS_TMR | 0x0020 | STS_PWRBTN | 0x0200 | 0x0400 | STS_WAK)
#define EN_TMR     0x0001
#define EN_MASK    (EN_TMR | 0x0020 | 0x0100 | 0x0200 | 0x0400)
#define SCI_EVENTS (STS_TMR | STS_PWRBTN)

#define CNT_SCI_EN   0x0001
#define CNT_BM_RLD   0x0002
#define CNT_SLP_TYP  0x1C00
#define CNT_SLP_EN   0x2000
#define CNT_KEPT     (CNT_SCI_EN | CNT_BM_RLD | CNT_SLP_TYP)

#define REG_STS 0
#define REG_EN  2
#define REG_CNT 4
#define REG_TMR 8

#define NS_PER_S 1000000000ULL
#define TMR_EPOCH_SHIFT 23  /* TMR_STS: bit 23 of the 24-bit counter toggled */

struct acpi_pm {
	struct vclock *clock;
	struct irq_line sci;
	struct vtimer timer;
	void (*poweroff)(void *opaque);
	void *opaque;
	uint16_t sts, en, cnt;
	uint64_t tmr_epoch;  /* counter >> 23 when TMR_STS was last brought up to date */
};

static uint64_t pm_ticks(const struct acpi_pm *pm, uint64_t now)
{
	return (uint64_t)((unsigned __int128)now * ACPI_PM_TMR_HZ / NS_PER_S);
}

static void pm_catch_up(struct acpi_pm *pm, uint64_t now)
{
	uint64_t epoch = pm_ticks(pm, now) >> TMR_EPOCH_SHIFT;
	if (epoch != pm->tmr_epoch)
		pm->sts |= STS_TMR;
	pm->tmr_epoch = epoch;
}

static void pm_update(struct acpi_pm *pm, uint64_t now)
{
	irq_line_set(&pm->sci, (pm->cnt & CNT_SCI_EN) && (pm->sts & pm->en & SCI_EVENTS));
	if (!(pm->en & EN_TMR)) {
		vtimer_disarm(pm->clock, &pm->timer);
		return;
	}
	/* First guest ns at which the counter reaches the next epoch. */
	uint64_t next_ticks = (pm_ticks(pm, now) >> TMR_EPOCH_SHIFT) + 1;
	unsigned __int128 num = (unsigned __int128)(next_ticks << TMR_EPOCH_SHIFT) * NS_PER_S;
	unsigned __int128 ns = (num + ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ;
	vtimer_arm(pm->clock, &pm->timer, ns >= VCLOCK_NEVER ? VCLOCK_NEVER - 1 : (uint64_t)ns);
}

static void pm_timer_fire(void *opaque, uint64_t now)
{
	struct acpi_pm *pm = opaque;
	pm_catch_up(pm, now);
	pm_update(pm, now);
}

static void pm_write_cnt(struct acpi_pm *pm, uint16_t v)
{
	pm->cnt = v & CNT_KEPT;
	if (!(v & CNT_SLP_EN))
		return;
	if (((v & CNT_SLP_TYP) >> 10) == ACPI_S5_SLP_TYP) {
		if (pm->poweroff)
			pm->poweroff(pm->opaque);
	} else {
		pm->sts |= STS_WAK;  /* other sleep states: "woke up" at once */
	}
}

void acpi_pm_io(void *opaque, uint64_t offset, void *data, unsigned len, bool is_write, unsigned cpu)
{
	(void)cpu;
	struct acpi_pm *pm = opaque;
	uint8_t *p = data;
	uint64_t now = vclock_now(pm->clock);
	pm_catch_up(pm, now);

	if (!is_write) {
		uint8_t regs[PORT_ACPI_PM_LEN] = { 0 };
		uint32_t tmr = (uint32_t)(pm_ticks(pm, now) & 0xFFFFFF);
		memcpy(regs + REG_STS, &pm->sts, 2);
		memcpy(regs + REG_EN, &pm->en, 2);
		memcpy(regs + REG_CNT, &pm->cnt, 2);
		memcpy(regs + REG_TMR, &tmr, 4);
		for (unsigned i = 0; i < len; i++)
			p[i] = offset + i < sizeof(regs) ? regs[offset + i] : 0xFF;
		return;
	}

	uint16_t en = pm->en, cnt = pm->cnt;
	bool cnt_written = false;
	for (unsigned i = 0; i < len; i++) {
		uint64_t o = offset + i;
		unsigned shift = (o & 1) * 8;
		if (o == REG_STS || o == REG_STS + 1) {
			pm->sts &= ~(uint16_t)(p[i] << shift);
		} else if (o == REG_EN || o == REG_EN + 1) {
			en = (uint16_t)((en & ~(0xFF << shift)) | (p[i] << shift));
		} else if (o == REG_CNT || o == REG_CNT + 1) {
			cnt = (uint16_t)((cnt & ~(0xFF << shift)) | (p[i] << shift));
			cnt_written = true;
		}
	}
	pm->en = en & EN_MASK;
	if (cnt_written)
		pm_write_cnt(pm, cnt);
	pm_update(pm, now);
}

void acpi_pm_power_button(struct acpi_pm *pm)
{
	uint64_t now = vclock_now(pm->clock);
	pm_catch_up(pm, now);
	pm->sts |= STS_PWRBTN;
	pm_update(pm, now);
}

void acpi_pm_reset(struct acpi_pm *pm)
{
	uint64_t now = vclock_now(pm->clock);
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = CNT_SCI_EN;
	pm->tmr_epoch = pm_ticks(pm, now) >> TMR_EPOCH_SHIFT;
	pm_update(pm, now);
}

struct acpi_pm *acpi_pm_create(struct vclock *clock, struct irq_line sci,
			       void (*poweroff)(void *opaque), void *opaque)
{
	struct acpi_pm *pm = g_new0(struct acpi_pm, 1);
	pm->clock = clock;
	pm->sci = sci;
	pm->poweroff = poweroff;
	pm->opaque = opaque;
	vclock_add_timer(clock, &pm->timer, pm_timer_fire, pm, "acpi-pm");
	acpi_pm_reset(pm);
	return pm;
}

bool acpi_pm_register(struct acpi_pm *pm, struct bus *pio, GError **err)
{
	return bus_register(pio, PORT_ACPI_PM, PORT_ACPI_PM_LEN, acpi_pm_io, pm, "acpi-pm", err);
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	if (!pm)
		return;
	vclock_remove_timer(pm->clock, &pm->timer);
	g_free(pm);
}
