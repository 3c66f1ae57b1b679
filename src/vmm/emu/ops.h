/* Instruction handlers, grouped by file (ops_alu.c, ops_mov.c, ops_ctrl.c,
 * ops_string.c, ops_sys.c, ops_simd.c). Each runs one decoded insn. */
#ifndef TANDEM_EMU_OPS_H
#define TANDEM_EMU_OPS_H

#include "vmm/emu/cpu.h"

#define H(name) insn_fn name
/* ops_alu.c */
H(op_alu_rm_r); H(op_alu_r_rm); H(op_alu_acc_imm); H(op_grp1);
H(op_test_rm_r); H(op_test_acc_imm); H(op_test_rm_imm);
H(op_inc_r); H(op_dec_r); H(op_inc_rm); H(op_dec_rm); H(op_not); H(op_neg);
H(op_mul); H(op_imul1); H(op_div); H(op_idiv); H(op_imul_r_rm); H(op_imul_r_rm_imm);
H(op_shift); H(op_shld); H(op_shrd);
H(op_shl_r64); H(op_shr_r64); H(op_sar_r64); H(op_shl_r32); H(op_shr_r32); H(op_sar_r32);
H(op_bt_rm_r); H(op_bt_rm_imm); H(op_bsf); H(op_bsr); H(op_bswap);
H(op_xadd); H(op_cmpxchg); H(op_cmpxchg8b16b);
H(op_cbw); H(op_cwd); H(op_setcc); H(op_cmovcc); H(op_lahf); H(op_sahf); H(op_flagop);
H(op_add_rr64); H(op_or_rr64); H(op_and_rr64); H(op_sub_rr64); H(op_xor_rr64); H(op_cmp_rr64);
H(op_add_rr32); H(op_or_rr32); H(op_and_rr32); H(op_sub_rr32); H(op_xor_rr32); H(op_cmp_rr32);
H(op_add_ri64); H(op_or_ri64); H(op_and_ri64); H(op_sub_ri64); H(op_xor_ri64); H(op_cmp_ri64);
H(op_add_ri32); H(op_or_ri32); H(op_and_ri32); H(op_sub_ri32); H(op_xor_ri32); H(op_cmp_ri32);
H(op_aam); H(op_aad); H(op_salc); H(op_daa); H(op_das); H(op_aaa); H(op_aas);
/* ops_mov.c */
H(op_mov_rm_r); H(op_mov_r_rm); H(op_mov_r_imm); H(op_mov_rm_imm); H(op_mov_moffs);
H(op_lea); H(op_movzx); H(op_movsx); H(op_movsxd); H(op_xchg_rm_r); H(op_xchg_ax_r); H(op_nop);
H(op_push_r); H(op_pop_r); H(op_push_imm); H(op_pop_rm); H(op_push_rm);
H(op_push_seg); H(op_pop_seg); H(op_mov_rm_seg); H(op_mov_seg_rm);
H(op_pushf); H(op_popf); H(op_pusha); H(op_popa); H(op_enter); H(op_leave); H(op_xlat);
H(op_lxs); H(op_movnti);
H(op_movzx_r_m8); H(op_movzx_r_m16); H(op_movzx_r_r8); H(op_movzx_r_r16);
H(op_mov_r_m64); H(op_mov_r_m32); H(op_mov_m_r64); H(op_mov_m_r32); H(op_mov_rr64); H(op_mov_rr32);
/* ops_ctrl.c */
H(op_jcc); H(op_jmp_rel); H(op_call_rel); H(op_ret); H(op_jmp_rm); H(op_call_rm);
H(op_jmpf_ptr); H(op_callf_ptr); H(op_jmpf_m); H(op_callf_m); H(op_retf); H(op_iret);
H(op_loop); H(op_jcxz); H(op_int3); H(op_int); H(op_into); H(op_int1);
/* ops_string.c */
H(op_movs); H(op_stos); H(op_lods); H(op_cmps); H(op_scas); H(op_ins); H(op_outs);
/* ops_sys.c */
H(op_hlt); H(op_cli); H(op_sti); H(op_in); H(op_out); H(op_cpuid); H(op_rdtsc); H(op_rdtscp);
H(op_rdmsr); H(op_wrmsr); H(op_mov_cr); H(op_mov_dr); H(op_clts); H(op_wbinvd); H(op_invlpg);
H(op_lgdt); H(op_lidt); H(op_sgdt); H(op_sidt); H(op_smsw); H(op_lmsw);
H(op_sldt); H(op_str); H(op_lldt); H(op_ltr); H(op_verr); H(op_verw); H(op_lar); H(op_lsl);
H(op_syscall); H(op_sysret); H(op_swapgs); H(op_fence); H(op_clflush); H(op_pause);
H(op_wait); H(op_unimpl); H(op_arpl);
/* ops_simd.c */
H(op_simd); H(op_x87);
#undef H

#endif
