; Virtual-8086 mode (no VME): entry by IRETD and by a task switch,
; real-mode addressing, IOPL-sensitive instructions (#GP(0) when IOPL < 3),
; interrupts and exceptions out to a ring-0 handler (frame with GS/FS/DS/ES,
; data segments zeroed), IRET inside v8086, and the TSS I/O bitmap (also for
; CPL 3 protected mode).
%include "common.inc"

TSSV     equ 0x5000
S_TSSV   equ 0x40
S_G3     equ 0x48      ; (unused)
VM       equ 0x20000
IOPL3    equ 0x3000

%macro V86ENTER 2      ; ip, eflags: CS = SS = DS = ES = FS = GS = 0, SP 0x6ff0
  push dword 0
  push dword 0
  push dword 0
  push dword 0
  push dword 0
  push dword 0x6ff0
  push dword %2
  push dword 0
  push dword ABS(%1)
  iretd
%endmacro

tests:
  ; vector 0x31: a gate to ring-3 code, which v8086 interrupts may not use
  mov eax, SEL_CODE3 << 16
  mov ax, v86_dummy - $$ + 0x7c00
  mov [IDT + 0x31 * 8], eax
  mov dword [IDT + 0x31 * 8 + 4], 0xee00

  ; --- enter, address real-mode style, leave by INT (IOPL 3)
  mov word [0x2010], 0
  TEST 1
  V86ENTER v1, VM | IOPL3 | 2
  EXPECT 0x30, 0, ABS(v1_int) + 2
  movzx eax, word [0x2010]
  CHECKV 2, eax, 0x1234                 ; 0x200:0x10 is linear 0x2010
  CHECKV 3, [FAULT + 12], 0             ; v8086 CS
  mov eax, [FAULT + 16]
  and eax, VM | IOPL3
  CHECKV 4, eax, VM | IOPL3
  CHECKV 5, [FAULT + 24], 0x6ff0        ; SP, SS
  CHECKV 6, [FAULT + 28], 0
  CHECKV 7, [FAULT + 32], 0x40          ; ES DS FS GS pushed
  CHECKV 8, [FAULT + 36], 0x200
  CHECKV 9, [FAULT + 40], 0x41
  CHECKV 10, [FAULT + 44], 0x42
  CHECKV 11, [FAULT + 48], 0            ; DS zeroed for the handler

  ; --- IOPL 0: every IOPL-sensitive instruction is #GP(0)
  TEST 12
  V86ENTER v_cli, VM | 2
  EXPECT 13, 0, ABS(v_cli)
  TEST 13
  V86ENTER v_sti, VM | 2
  EXPECT 13, 0, ABS(v_sti)
  TEST 14
  V86ENTER v_pushf, VM | 2
  EXPECT 13, 0, ABS(v_pushf)
  TEST 15
  V86ENTER v_popf, VM | 2
  EXPECT 13, 0, ABS(v_popf)
  TEST 16
  V86ENTER v_int, VM | 2
  EXPECT 13, 0, ABS(v_int)
  TEST 17
  V86ENTER v_iret, VM | 2
  EXPECT 13, 0, ABS(v_iret)
  CHECKV 18, [FAULT + 12], 0

  ; --- IOPL 3: they work; POPF cannot change IOPL; IRET stays in v8086
  TEST 19
  V86ENTER v_ok, VM | IOPL3 | 2
  EXPECT 0x30, 0, ABS(v_ok_int) + 2
  movzx eax, word [0x2000]
  CHECKV 20, eax, IOPL3 | 0x202         ; PUSHF: IF set by STI, no VM in the image
  mov eax, [FAULT + 16]
  and eax, VM | IOPL3 | 0x200
  CHECKV 21, eax, VM | IOPL3 | 0x200
  CHECKV 22, [FAULT + 12], 0x0          ; after IRET to 0000:v_ok2

  ; --- an exception in v8086 goes to ring 0 with the v8086 frame
  TEST 23
  V86ENTER v_ud, VM | 2
  EXPECT 6, 0, ABS(v_ud)
  ; a gate to ring-3 code cannot be used from v8086
  TEST 24
  V86ENTER v_int31, VM | IOPL3 | 2
  EXPECT 13, SEL_CODE3 & ~3, ABS(v_int31)

  ; --- I/O bitmap: ports 0x80-0x87 denied, the rest allowed
  TEST 25
  V86ENTER v_io_ok, VM | IOPL3 | 2
  EXPECT 0x30, 0, ABS(v_io_ok_int) + 2
  TEST 26
  V86ENTER v_io_bad, VM | IOPL3 | 2
  EXPECT 13, 0, ABS(v_io_bad)
  TEST 27
  V86ENTER v_io_word, VM | IOPL3 | 2
  EXPECT 13, 0, ABS(v_io_word)
  TEST 28
  V86ENTER v_ins_entry, VM | IOPL3 | 2
  EXPECT 13, 0, ABS(v_ins)
  ; CPL 3 protected mode with IOPL 0 uses the bitmap too
  TEST 29
  TO_RING3 r3_io_ok
  EXPECT 0x30, 0, ABS(r3_io_ok_int) + 2
  TEST 30
  TO_RING3 r3_io_bad
  EXPECT 13, 0, ABS(r3_io_bad)
  ; CPL 0 ignores it
  TEST 31
  in al, 0x80
  EXPECT NOFAULT, 0, 0

  ; STR (like SLDT, LAR, VERR...) does not exist in v8086 mode
  TEST 36
  V86ENTER v_str, VM | IOPL3 | 2
  EXPECT 6, 0, ABS(v_str)

  ; --- a task switch into v8086 mode
  mov edi, TSSV
  xor eax, eax
  mov ecx, 0x68 / 4
  rep stosd
  mov dword [TSSV + 0x20], ABS(v_task)
  mov dword [TSSV + 0x24], VM | IOPL3 | 2
  mov dword [TSSV + 0x38], 0x6000
  mov dword [TSSV + 0x54], 0x200        ; DS
  mov dword [TSSV + 4], STACK0          ; the ring-0 stack for leaving v8086
  mov dword [TSSV + 8], SEL_DATA
  mov word [TSSV + 0x66], 0x68
  DESC S_TSSV, TSSV, 0x67, 0x89, 0
  mov word [0x2020], 0
  TEST 32
  jmp S_TSSV:0
  EXPECT 0x30, 0, ABS(v_task_int) + 2
  movzx eax, word [0x2020]
  CHECKV 33, eax, 0x4321
  CHECKV 34, [FAULT + 24], 0x6000
  str ax
  movzx eax, ax
  CHECKV 35, eax, S_TSSV
  jmp finish

bits 32
r3_io_ok:
  in al, 0x60
  out 0x70, al
  mov dx, 0x88
  in al, dx
r3_io_ok_int:
  int 0x30
r3_io_bad:
  out 0x84, al

bits 16
v1:
  mov ax, 0x200
  mov ds, ax
  mov word [0x10], 0x1234
  mov ax, 0x40
  mov es, ax
  mov ax, 0x41
  mov fs, ax
  mov ax, 0x42
  mov gs, ax
v1_int:
  int 0x30
v_cli:
  cli
v_sti:
  sti
v_pushf:
  pushf
v_popf:
  popf
v_int:
  int 0x30
v_iret:
  iret
v_ok:
  cli
  sti
  pushf
  pop ax
  mov [0x2000], ax
  push word 0x0202                      ; IOPL 0 in the image: ignored
  popf
  pushf
  push word 0
  push word v_ok2 - $$ + 0x7c00
  iret
v_ok2:
v_ok_int:
  int 0x30
v_ud:
  ud2
v_int31:
  int 0x31
v_io_ok:
  in al, 0x60
  out 0x70, al
  mov dx, 0x7e
  in ax, dx
v_io_ok_int:
  int 0x30
v_io_bad:
  in al, 0x80
v_io_word:
  in ax, 0x7f
v_ins_entry:
  mov dx, 0x81
  push cs
  pop es
  mov di, 0x3000
v_ins:
  insb
v_task:
  mov word [0x20], 0x4321
v_task_int:
  int 0x30
v_str:
  str ax
v86_dummy:
  jmp $
