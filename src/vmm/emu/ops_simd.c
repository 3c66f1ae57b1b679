/* The integer core's side of SSE/SSE2 and x87: mode checks (CR0.EM/TS,
 * CR4.OSFXSR), the memory operand (alignment, read, write-back), and the
 * call into the unit behind fpu.h. Operand-table lookup happened at decode
 * time; the op pointer is in insn.imm and the imm8 in insn.imm2. */
#include "vmm/emu/ops.h"

void op_simd(struct emu_cpu *c, const struct insn *i)
{
	const struct simd_op *so = (const struct simd_op *)(uintptr_t)i->imm;
	bool fxsr_group = i->map == 1 && i->opcode == 0xae;
	if (fxsr_group) {
		if (c->cr0 & (CR0_EM | CR0_TS))
			emu_raise(c, EX_NM, 0, false);
		if ((i->reg & 7) >= 2 && !(c->cr4 & CR4_OSFXSR))
			emu_ud(c);
	} else {
		if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
			emu_ud(c);
		if (c->cr0 & CR0_TS)
			emu_raise(c, EX_NM, 0, false);
	}
	_Alignas(16) uint8_t buf[512];
	struct simd_insn in = {
		.prefix = i->sse_pfx, .map = i->map, .opcode = i->opcode, .reg = i->reg & 15,
		.rm = i->mod == 3 ? i->rm & 15 : 0, .rm_is_reg = i->mod == 3, .rex_w = (i->rex & 8) != 0,
		.imm8 = (uint8_t)i->imm2, .mem = buf, .gpr = c->r, .rflags = &c->flags,
	};
	uint64_t lin = 0;
	unsigned msz = simd_mem_size(so, &in);
	if (msz > sizeof(buf))
		emu_fatal(c, "SIMD operand of %u bytes", msz);
	if (i->map == 1 && (i->opcode == 0x2e || i->opcode == 0x2f))
		flags_get(c);  /* (U)COMISS/SD read-modify-write the materialised flags */
	bool mem = i->mod != 3 && msz;
	void *host = NULL;  /* the operand in RAM when the TLB has it (<= 16 bytes, one page) */
	if (mem) {
		lin = insn_addr(c, i, msz, (so->flags & SIMD_WRITE) ? ACC_W : ACC_R);
		if ((so->flags & SIMD_ALIGN16) && (lin & 15))
			emu_gp(c, 0);
		if (msz <= 16)
			host = tlb_fast(c, lin, msz, (so->flags & SIMD_WRITE) ? ACC_W : ACC_R);
		if (!(so->flags & SIMD_READ))
			memset(buf, 0, msz);
		else if (host)
			memcpy(buf, host, msz);
		else
			mmu_read_buf(c, lin, buf, msz, ACC_R);
		if ((so->flags & SIMD_WRITE) && !host)
			mmu_probe_write(c, lin, msz > 16 ? 1 : msz);
	}
	int rc = so->exec(&c->fpu, &in);
	if (rc)
		emu_raise(c, rc, 0, rc == EX_GP);
	if (mem && (so->flags & SIMD_WRITE)) {
		if (host)
			memcpy(host, buf, msz);
		else
			mmu_write_buf(c, lin, buf, msz, ACC_W);
	}
}

void op_x87(struct emu_cpu *c, const struct insn *i)
{
	const struct x87_op *xo = (const struct x87_op *)(uintptr_t)i->imm;
	if (c->cr0 & (CR0_EM | CR0_TS))
		emu_raise(c, EX_NM, 0, false);
	_Alignas(16) uint8_t buf[128];
	uint16_t ax = (uint16_t)c->r[R_AX];
	uint64_t lin = 0;
	unsigned msz = xo->mem_size;
	bool mem = i->mod != 3 && msz;
	if (msz > sizeof(buf))
		emu_fatal(c, "x87 operand of %u bytes", msz);
	struct x87_insn in = {
		.opcode = i->opcode, .modrm = i->modrm, .opsize16 = i->osz == 2, .mem = buf, .ax = &ax,
		.fip = c->rip, .fdp = 0, .rflags = &c->flags,
	};
	flags_get(c);  /* FCOMI/FCMOVcc use the materialised flags */
	if (mem) {
		lin = insn_addr(c, i, msz, (xo->flags & X87_WRITE) ? ACC_W : ACC_R);
		in.fdp = insn_ea(c, i);
		if (xo->flags & X87_READ)
			mmu_read_buf(c, lin, buf, msz, ACC_R);
		else
			memset(buf, 0, msz);
		if (xo->flags & X87_WRITE)
			mmu_probe_write(c, lin, msz > 16 ? 1 : msz);
	}
	int rc = xo->exec(&c->fpu, &in);
	if (rc)
		emu_raise(c, rc, 0, rc == EX_GP);
	if (mem && (xo->flags & X87_WRITE))
		mmu_write_buf(c, lin, buf, msz, ACC_W);
	reg_set(c, R_AX, 2, ax);
}
