; Hardware task switches (32-bit TSS): CALL and JMP to a TSS, a task gate
; in the IDT for INT n and for #DF (as 32-bit kernels use), IRET with NT
; back through the back link, busy bits, CR0.TS, the LDT from the new TSS,
; and the faults (#GP busy/privilege, #NP, #TS with the selector).
%include "common.inc"

TSSB     equ 0x5000
TSSDF    equ 0x5100
TSSX     equ 0x5200   ; for bad-state tests
LDTB     equ 0x5400
REC      equ 0x2000

S_TSSB   equ 0x40
S_TSSDF  equ 0x48
S_LDT    equ 0x50
S_TSSX   equ 0x58
S_TSSSM  equ 0x60     ; limit 0x50: too small
S_TSSNP  equ 0x68     ; not present
S_TSS3   equ 0x70     ; DPL 0, used from ring 3
S_TGATE  equ 0x78     ; task gate DPL 3 -> S_TSSB
S_TSS16  equ 0x80     ; 16-bit (286) TSS
TSS16    equ 0x5300

%macro TSSINIT 3      ; addr, eip, esp
  mov edi, %1
  xor eax, eax
  mov ecx, 0x68 / 4
  rep stosd
  mov dword [%1 + 0x20], %2
  mov dword [%1 + 0x24], 2
  mov dword [%1 + 0x38], %3
  mov dword [%1 + 0x48], SEL_DATA
  mov dword [%1 + 0x4c], SEL_CODE
  mov dword [%1 + 0x50], SEL_DATA
  mov dword [%1 + 0x54], SEL_DATA
  mov dword [%1 + 0x58], SEL_DATA
  mov dword [%1 + 0x5c], SEL_DATA
  mov word [%1 + 0x66], 0x68
%endmacro

; busy bit (type bit 1) of a GDT descriptor -> eax
%macro BUSY 1
  movzx eax, byte [GDT + %1 + 5]
  shr eax, 1
  and eax, 1
%endmacro

tests:
  DESC S_TSSB, TSSB, 0x67, 0x89, 0
  DESC S_TSSDF, TSSDF, 0x67, 0x89, 0
  DESC S_LDT, LDTB, 0xf, 0x82, 0
  DESC S_TSSX, TSSX, 0x67, 0x89, 0
  DESC S_TSSSM, TSSX, 0x50, 0x89, 0
  DESC S_TSSNP, TSSX, 0x67, 0x09, 0
  DESC S_TSS3, TSSX, 0x67, 0x89, 0
  mov dword [GDT + S_TGATE], S_TSSB << 16
  mov dword [GDT + S_TGATE + 4], 0xe500
  ; the LDT of task B: one flat data segment (selector 0x0c)
  mov dword [LDTB], 0
  mov dword [LDTB + 4], 0
  mov dword [LDTB + 8], 0x0000ffff
  mov dword [LDTB + 12], 0x00cf9300

  ; --- CALL to a TSS, IRET back
  TSSINIT TSSB, task_b, 0x50000
  mov dword [TSSB + 0x28], 0xb0b0       ; EAX
  mov dword [TSSB + 0x60], S_LDT
  clts
  mov esi, 0x5a5a
  TEST 1
  call S_TSSB:0
call_back:
  mov [REC + 0x40], esi                 ; ESI came back from A's TSS
  pushfd
  pop dword [REC + 0x44]
  str ax
  mov [REC + 0x48], eax
  EXPECT NOFAULT, 0, 0
  CHECKV 2, [REC], 0xb0b0               ; EAX from the new TSS
  mov eax, [REC + 4]
  and eax, 0x4000
  CHECKV 3, eax, 0x4000                 ; NT set in the called task
  movzx eax, word [REC + 8]
  CHECKV 4, eax, S_TSSB                 ; TR
  movzx eax, word [REC + 12]
  CHECKV 5, eax, SEL_TSS                ; back link
  mov eax, [REC + 16]
  and eax, 8
  CHECKV 6, eax, 8                      ; CR0.TS
  movzx eax, word [REC + 20]
  CHECKV 7, eax, S_LDT                  ; LDTR from the TSS
  CHECKV 8, [REC + 24], 0x77            ; a load through the LDT
  CHECKV 9, [REC + 28], 1               ; old task still busy (CALL)
  CHECKV 10, [REC + 32], 1              ; new task busy
  CHECKV 11, [REC + 0x40], 0x5a5a
  mov eax, [REC + 0x44]
  and eax, 0x4000
  CHECKV 12, eax, 0                     ; NT clear again in A
  movzx eax, word [REC + 0x48]
  CHECKV 13, eax, SEL_TSS
  BUSY S_TSSB
  CHECKV 14, eax, 0                     ; IRET freed B
  BUSY SEL_TSS
  CHECKV 15, eax, 1
  CHECKV 16, [TSSB + 0x20], ABS(task_b_end)   ; B's state was saved at its IRET

  ; --- JMP to a TSS and back: no NT, no back link, old task not busy
  TSSINIT TSSB, task_bj, 0x50000
  mov word [TSSB], 0x1234
  TEST 17
  jmp S_TSSB:0
jmp_back:
  EXPECT NOFAULT, 0, 0
  mov eax, [REC + 4]
  and eax, 0x4000
  CHECKV 18, eax, 0
  movzx eax, word [REC + 12]
  CHECKV 19, eax, 0x1234                ; back link untouched
  CHECKV 20, [REC + 28], 0              ; A not busy while B ran
  CHECKV 21, [REC + 32], 1
  BUSY S_TSSB
  CHECKV 22, eax, 0
  CHECKV 23, [TSS + 0x20], ABS(jmp_back) - 0 ; A's EIP saved at its JMP (after the insn)

  ; --- INT n through a task gate
  TSSINIT TSSB, task_b, 0x50000
  mov dword [TSSB + 0x28], 0xb1b1
  mov dword [TSSB + 0x60], S_LDT
  mov dword [IDT + 0x40 * 8], S_TSSB << 16
  mov dword [IDT + 0x40 * 8 + 4], 0x8500
  TEST 24
  int 0x40
int_back:
  EXPECT NOFAULT, 0, 0
  CHECKV 25, [REC], 0xb1b1
  movzx eax, word [REC + 12]
  CHECKV 26, eax, SEL_TSS
  CHECKV 27, [TSS + 0x20], ABS(int_back)

  ; --- #DF through a task gate: #GP with a not-present IDT entry 13
  TSSINIT TSSDF, task_df, 0x48000
  mov dword [IDT + 8 * 8], S_TSSDF << 16
  mov dword [IDT + 8 * 8 + 4], 0x8500
  and byte [IDT + 13 * 8 + 5], 0x7f
  TEST 28
  mov ax, 0x808
t28: mov ds, ax
df_back:
  EXPECT NOFAULT, 0, 0
  CHECKV 29, [REC + 36], 0              ; #DF error code on the DF task's stack
  CHECKV 30, [REC + 40], 0x48000 - 4
  CHECKV 31, [REC + 44], ABS(t28)       ; the interrupted task's EIP
  movzx eax, word [REC + 12]
  CHECKV 32, eax, SEL_TSS

;  --- a 16-bit TSS: CALL into it, IRET back
  mov edi, TSS16
  xor eax, eax
  mov ecx, 0x2c / 4
  rep stosd
  mov word [TSS16 + 0x0e], ABS(task_16)
  mov word [TSS16 + 0x10], 2
  mov word [TSS16 + 0x12], 0x1616       ; AX
  mov word [TSS16 + 0x1a], 0x7000       ; SP
  mov word [TSS16 + 0x22], SEL_DATA     ; ES CS SS DS
  mov word [TSS16 + 0x24], SEL_CODE
  mov word [TSS16 + 0x26], SEL_DATA
  mov word [TSS16 + 0x28], SEL_DATA
  DESC S_TSS16, TSS16, 0x2b, 0x81, 0
  mov ax, SEL_DATA
  mov fs, ax
  mov edi, 0x12345678
  TEST 42
  call S_TSS16:0
  EXPECT NOFAULT, 0, 0
  ; the upper halves of the registers are "modified and not maintained"
  ; (SDM 7.6; Bochs sets them to ones, QEMU keeps them): low halves only
  movzx eax, word [REC + 0x50]
  CHECKV 43, eax, 0x1616
  CHECKV 44, [REC + 0x54], 0            ; FS null
  movzx eax, word [REC + 0x58]
  CHECKV 45, eax, 0x7000
  movzx eax, word [TSS16]
  CHECKV 46, eax, SEL_TSS               ; back link
  movzx eax, word [TSS16 + 0x0e]
  CHECKV 47, eax, ABS(task_16_end)      ; IP saved at its IRET
  CHECKV 48, edi, 0x12345678            ; our EDI came back from the 32-bit TSS
  BUSY S_TSS16
  CHECKV 49, eax, 0

  ; --- faults
  TEST 33                               ; CALL to the busy current task
t33: call SEL_TSS:0
  EXPECT 13, SEL_TSS, t33
  TEST 34                               ; TSS limit below 0x67
t34: jmp S_TSSSM:0
  EXPECT 10, S_TSSSM, t34
  TEST 35                               ; not present
t35: call S_TSSNP:0
  EXPECT 11, S_TSSNP, t35
  TEST 36                               ; DPL 0 TSS from ring 3
  TO_RING3 r3_t
r3_t:
t36: call S_TSS3:0
  EXPECT 13, S_TSS3, t36
  TEST 37                               ; task gate DPL 3 from ring 3 is fine
  TSSINIT TSSB, task_b3, 0x50000
  TO_RING3 r3_tg
r3_tg:
  call S_TGATE | 3:0
  int 0x30
r3_tg_back:
  EXPECT 0x30, 0, r3_tg_back
  TEST 38                               ; IRET with NT and a free back link task
  mov word [TSS], S_TSSB
  pushfd
  or dword [esp], 0x4000
  popfd
t38: iretd
  EXPECT 10, S_TSSB, t38
  ; bad LDT in the new task: #TS(ldt) in the new task's context, handled
  ; by a #TS task gate as the SDM advises (the segment registers of the
  ; new task are not usable yet). QEMU saves the CALL's EIP in the new
  ; TSS here; the SDM and Bochs the new task's first instruction.
  TSSINIT TSSX, task_x, 0x50000
  mov dword [TSSX + 0x60], S_TSSB
  TSSINIT TSSDF, task_ts, 0x48000
  mov dword [IDT + 10 * 8], S_TSSDF << 16
  mov dword [IDT + 10 * 8 + 4], 0x8500
  TEST 39
  call S_TSSX:0
  EXPECT 10, S_TSSB, ABS(task_x)
  str ax
  movzx eax, ax
  CHECKV 40, eax, S_TSSDF
  movzx eax, word [TSSDF]
  CHECKV 41, eax, S_TSSX                ; the back link names the failed task
  ; the T bit: #DB (DR6.BT) once the switch is done, at the new task's EIP
  ; (QEMU TCG ignores T, so only tandem passes these)
  TSSINIT TSSB, task_b3, 0x50000
  mov byte [TSSB + 0x64], 1
  xor eax, eax
  mov dr6, eax
  TEST 50
  call S_TSSB:0
  EXPECT 1, 0, ABS(task_b3)
  mov eax, dr6
  and eax, 0x8000
  CHECKV 51, eax, 0x8000
  str ax
  movzx eax, ax
  CHECKV 52, eax, S_TSSB
  jmp finish

task_b:
  mov [REC], eax
  pushfd
  pop dword [REC + 4]
  str ax
  mov [REC + 8], eax
  mov ax, [TSSB]
  mov [REC + 12], eax
  mov eax, cr0
  mov [REC + 16], eax
  sldt ax
  mov [REC + 20], eax
  mov dword [0x2100], 0x77
  mov ax, 0x0c
  mov fs, ax
  mov eax, [fs:0x2100]
  mov [REC + 24], eax
  BUSY SEL_TSS
  mov [REC + 28], eax
  BUSY S_TSSB
  mov [REC + 32], eax
  clts
  iretd
task_b_end:
  jmp task_b_end

task_bj:
  pushfd
  pop dword [REC + 4]
  mov ax, [TSSB]
  mov [REC + 12], eax
  BUSY SEL_TSS
  mov [REC + 28], eax
  BUSY S_TSSB
  mov [REC + 32], eax
  jmp SEL_TSS:0

task_df:
  mov eax, [esp]
  mov [REC + 36], eax
  mov [REC + 40], esp
  mov eax, [TSS + 0x20]
  mov [REC + 44], eax
  mov ax, [TSSDF]
  mov [REC + 12], eax
  or byte [IDT + 13 * 8 + 5], 0x80
  mov dword [TSS + 0x20], df_back
  iretd

task_b3:
  iretd

task_16:
  mov [REC + 0x50], eax
  xor eax, eax
  mov ax, fs
  mov [REC + 0x54], eax
  mov [REC + 0x58], esp
  iretd
task_16_end:
  jmp task_16_end

task_x:
  jmp task_x

task_ts:
  mov dword [FAULT], 10
  mov eax, [esp]
  mov [FAULT + 4], eax
  mov eax, [TSSX + 0x20]
  mov [FAULT + 8], eax
  jmp [FAULT + 20]
