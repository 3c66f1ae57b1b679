; Call gates in 32-bit protected mode: same-privilege CALL/JMP through a
; gate, privilege-raising CALL with the TSS stack switch and parameter copy
; (32- and 16-bit gates), RET to the outer level with data segments
; nulled, conforming code, and the faults of each step.
%include "common.inc"

S_GATE0   equ 0x40   ; 32-bit gate DPL 0 -> SEL_CODE:g_same
S_GATE3   equ 0x48   ; 32-bit gate DPL 3 -> SEL_CODE:g_inner, 2 params
S_GATE16  equ 0x50   ; 16-bit gate DPL 3 -> SEL_CODE:g_inner16, 1 param
S_GATENP  equ 0x58   ; not present
S_GATEDAT equ 0x60   ; gate to a data segment
S_CONF0   equ 0x68   ; conforming code DPL 0
S_GATE1   equ 0x70   ; gate DPL 3 -> S_CODE1 (TSS has no ring-1 stack)
S_CODE1   equ 0x78
S_GATEOUT equ 0x80   ; gate DPL 0 -> SEL_CODE3 (outer target)
S_GATEJ   equ 0x88   ; 32-bit gate DPL 0 -> SEL_CODE:g_jmp
S_GATE2   equ 0x90   ; 32-bit gate DPL 3 -> S_CODE2:g_ring2
S_CODE2   equ 0x98   ; code DPL 2
S_SS2     equ 0xa0   ; ring-2 stack: base 0x67000, limit 0xfff

REC       equ 0x2000 ; what the handlers saw

tests:
  GATE GDT + S_GATE0, SEL_CODE, ABS(g_same), 0x8c
  GATE GDT + S_GATE3, SEL_CODE, ABS(g_inner), 0xec, 2
  GATE GDT + S_GATE16, SEL_CODE, ABS(g_inner16), 0xe4, 1
  GATE GDT + S_GATENP, SEL_CODE, ABS(g_same), 0x6c
  GATE GDT + S_GATEDAT, SEL_DATA, 0, 0xec
  DESC S_CONF0, 0, 0xfffff, 0x9f, 0xc
  GATE GDT + S_GATE1, S_CODE1, ABS(g_same), 0xec
  DESC S_CODE1, 0, 0xfffff, 0xbb, 0xc
  GATE GDT + S_GATEOUT, SEL_CODE3, ABS(g_same), 0x8c
  GATE GDT + S_GATEJ, SEL_CODE, ABS(g_jmp), 0x8c
  GATE GDT + S_GATE2, S_CODE2, ABS(g_ring2), 0xec
  DESC S_CODE2, 0, 0xfffff, 0xdb, 0xc
  DESC S_SS2, 0x67000, 0xfff, 0xd3, 0x4
  mov dword [TSS + 24], S_SS2 | 2

  ; --- same privilege CALL through a gate: CS:EIP pushed, offset from the gate
  TEST 1
  mov ebx, esp
  call S_GATE0:0x12345678
c1_ret:
  CHECKV 2, [REC], ABS(c1_ret)
  CHECKV 3, [REC + 4], SEL_CODE
  lea eax, [ebx - 8]
  CHECKV 4, [REC + 24], eax
  mov eax, esp
  CHECKV 5, eax, ebx
  EXPECT NOFAULT, 0, 0
  ; --- JMP through a gate: nothing pushed
  TEST 6
  mov ebx, esp
  jmp S_GATEJ:0
  EXPECT NOFAULT, 0, 0
  CHECKV 7, [REC + 24], ebx

  ; --- ring 3 -> ring 0 through a 32-bit gate with 2 parameters
  TEST 8
  TO_RING3 r3_g32
r3_g32:
  mov ax, SEL_DATA3
  mov es, ax
  push dword 0x1111
  push dword 0x2222
  call S_GATE3 | 3:0
r3_g32_ret:
  mov [ss:REC + 0x40], esp
  mov [ss:REC + 0x44], ds
  mov [ss:REC + 0x48], es
  mov [ss:REC + 0x4c], cs
  int 0x30
r3_g32_int:
  EXPECT 0x30, 0, r3_g32_int
  CHECKV 9, [REC + 24], STACK0 - 24      ; new stack from the TSS
  CHECKV 10, [REC], ABS(r3_g32_ret)
  CHECKV 11, [REC + 4], SEL_CODE3
  CHECKV 12, [REC + 8], 0x2222           ; parameters in the same order
  CHECKV 13, [REC + 12], 0x1111
  CHECKV 14, [REC + 16], STACK3 - 8      ; old ESP, SS
  CHECKV 15, [REC + 20], SEL_DATA3
  CHECKV 16, [REC + 28], SEL_CODE        ; CS in the handler: RPL 0
  CHECKV 17, [REC + 32], SEL_DATA        ; SS from the TSS
  CHECKV 18, [REC + 0x40], STACK3        ; RET 8 released the parameters
  movzx eax, word [REC + 0x44]
  CHECKV 19, eax, 0                      ; DS (DPL 0) nulled on the way out
  movzx eax, word [REC + 0x48]
  CHECKV 20, eax, SEL_DATA3              ; ES (DPL 3) kept
  movzx eax, word [REC + 0x4c]
  CHECKV 21, eax, SEL_CODE3

  ; --- ring 3 -> ring 0 through a 16-bit gate, 1 word parameter, stack below 64K
  TEST 22
  push dword SEL_DATA3
  push dword 0xf000
  push dword 2
  push dword SEL_CODE3
  push dword r3_g16
  iretd
r3_g16:
  push word 0x3333
  call S_GATE16 | 3:0
r3_g16_ret:
  mov [ss:REC + 0x40], esp
  int 0x30
r3_g16_int:
  EXPECT 0x30, 0, r3_g16_int
  CHECKV 23, [REC + 24], STACK0 - 10
  movzx eax, word [REC]
  CHECKV 24, eax, ABS(r3_g16_ret)
  movzx eax, word [REC + 2]
  CHECKV 25, eax, SEL_CODE3
  movzx eax, word [REC + 4]
  CHECKV 26, eax, 0x3333
  movzx eax, word [REC + 6]
  CHECKV 27, eax, 0xeffe
  movzx eax, word [REC + 8]
  CHECKV 28, eax, SEL_DATA3
  CHECKV 29, [REC + 0x40], 0xf000

  ; --- conforming code called from ring 3 runs at CPL 3
  TEST 30
  TO_RING3 r3_conf
r3_conf:
  call S_CONF0:conf_target
  mov [ss:REC + 0x40], eax
  int 0x30
r3_conf_int:
  EXPECT 0x30, 0, r3_conf_int
  CHECKV 31, [REC + 0x40], S_CONF0 | 3

  ; --- faults
  TEST 32                   ; gate DPL 0 < CPL 3
  TO_RING3 r3_f1
r3_f1:
t32: call S_GATE0 | 3:0
  EXPECT 13, S_GATE0, t32
  TEST 33                   ; gate not present
  TO_RING3 r3_f2
r3_f2:
t33: call S_GATENP | 3:0
  EXPECT 11, S_GATENP, t33
  TEST 34                   ; gate to a data segment
  TO_RING3 r3_f3
r3_f3:
t34: call S_GATEDAT | 3:0
  EXPECT 13, SEL_DATA, t34
  TEST 35                   ; gate to an outer (less privileged) segment
t35: call S_GATEOUT:0
  EXPECT 13, SEL_CODE3 & ~3, t35
  TEST 36                   ; JMP through a gate may not change privilege
  TO_RING3 r3_f4
r3_f4:
t36: jmp S_GATE3 | 3:0
  EXPECT 13, SEL_CODE, t36
  TEST 37                   ; no ring-1 stack in the TSS: #TS(0)
  TO_RING3 r3_f5
r3_f5:
t37: call S_GATE1 | 3:0
  EXPECT 10, 0, t37
  TEST 38                   ; direct call to non-conforming DPL 0 code from ring 3
  TO_RING3 r3_f6
r3_f6:
t38: call SEL_CODE:0
  EXPECT 13, SEL_CODE, t38
  TEST 39                   ; RETF to ring 3 with SS RPL 2
  push dword SEL_DATA3 & ~1
  push dword STACK3
  push dword SEL_CODE3
  push dword 0
t39: retf
  EXPECT 13, SEL_DATA3 & ~3, t39
  TEST 40                   ; RETF from ring 3 to ring 0
  TO_RING3 r3_f7
r3_f7:
  push dword SEL_CODE
  push dword 0
t40: retf
  EXPECT 13, SEL_CODE, t40
  TEST 41                   ; gate selector with RPL 3 > gate DPL 0 at CPL 0
t41: call S_GATE0 | 3:0
  EXPECT 13, S_GATE0, t41
  ; --- ring 3 -> ring 2: the stack from TSS.SS2:ESP2
  mov dword [TSS + 20], 0x1000
  TEST 42
  TO_RING3 r3_r2
r3_r2:
  call S_GATE2 | 3:0
  int 0x30
r3_r2_int:
  EXPECT 0x30, 0, r3_r2_int
  CHECKV 43, [REC + 0x60], 0x1000 - 16  ; ESP in ring 2
  CHECKV 44, [REC + 0x64], S_SS2 | 2
  CHECKV 45, [REC + 0x68], S_CODE2 | 2
  CHECKV 46, [REC + 0x6c], SEL_CODE3    ; the caller's CS on the ring-2 stack
  ; --- no room on the new stack: #SS(new SS), nothing changed (QEMU TCG
  ; does not check segment limits here, so only tandem passes this one)
  mov dword [TSS + 20], 8
  TEST 47
  TO_RING3 r3_r2b
r3_r2b:
t47: call S_GATE2 | 3:0
  EXPECT 12, S_SS2, t47
  CHECKV 48, [FAULT + 12], SEL_CODE3    ; the fault belongs to ring 3
  mov dword [TSS + 20], STACK2
  ; --- ARPL raises a selector's RPL to the source's
  mov eax, 0x10
  mov ebx, 0x1b
  arpl ax, bx
  setz cl
  movzx ecx, cl
  movzx eax, ax
  CHECKV 49, eax, 0x13
  CHECKV 50, ecx, 1
  mov word [REC + 0x70], 0x13
  mov ebx, 0x1a
  arpl [REC + 0x70], bx
  setz cl
  movzx ecx, cl
  movzx eax, word [REC + 0x70]
  CHECKV 51, eax, 0x13
  CHECKV 52, ecx, 0
  jmp finish

; --- gate targets -----------------------------------------------------------------
g_same:
  mov eax, [esp]
  mov [ss:REC], eax
  mov eax, [esp + 4]
  mov [ss:REC + 4], eax
  mov [ss:REC + 24], esp
  retf
g_jmp:
  mov [ss:REC + 24], esp
  jmp [ss:FAULT + 20]
g_inner:
  mov [ss:REC + 24], esp
  mov [ss:REC + 28], cs
  mov [ss:REC + 32], ss
  mov ecx, 6
  xor esi, esi
.c:
  mov eax, [esp + esi * 4]
  mov [ss:REC + esi * 4], eax
  inc esi
  loop .c
  mov ax, SEL_DATA
  mov ds, ax
  retf 8
g_inner16:
  mov [ss:REC + 24], esp
  mov ecx, 5
  xor esi, esi
.c:
  mov ax, [esp + esi * 2]
  mov [ss:REC + esi * 2], ax
  inc esi
  loop .c
  o16 retf 2
conf_target:
  mov eax, cs
  retf
g_ring2:
  mov ax, SEL_DATA3
  mov ds, ax
  mov [REC + 0x60], esp
  mov eax, ss
  mov [REC + 0x64], eax
  mov eax, cs
  mov [REC + 0x68], eax
  mov eax, [esp + 4]
  mov [REC + 0x6c], eax
  retf
