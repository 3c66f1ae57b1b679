; Segment limit and type checks in 32-bit protected mode: expand-up and
; expand-down data, granularity, B bit, read-only data, execute-only and
; readable code, null selectors, SS faults, CS limit on fetch and on
; branches, and the checks of segment register loads.
%include "common.inc"

S_LIM    equ 0x40     ; data, base 0x10000, limit 0xfff, byte granular
S_LIMG   equ 0x48     ; data, base 0x10000, limit 0 with G: 0xfff
S_EDB    equ 0x50     ; expand-down, B=1, limit 0xfff
S_ED16   equ 0x58     ; expand-down, B=0, limit 0xfff
S_RO     equ 0x60     ; read-only data, flat
S_XO     equ 0x68     ; execute-only code, flat
S_RX     equ 0x70     ; readable code, flat
S_SSLIM  equ 0x78     ; stack, limit 0x7ffff
S_SSED   equ 0x80     ; stack, expand-down, limit 0x5ffff, B=1
S_NP     equ 0x88     ; data, not present
S_CSLIM  equ 0x90     ; code, base 0, limit cs_end - 1
S_D3     equ 0x98     ; data DPL 3 limit 0xfff (ring-3 tests)
S_SS3LIM equ 0xa0     ; ring-3 stack, limit 0x5ffff

tests:
  DESC S_LIM, 0x10000, 0xfff, 0x93, 0x4
  DESC S_LIMG, 0x10000, 0, 0x93, 0xc
  DESC S_EDB, 0, 0xfff, 0x97, 0x4
  DESC S_ED16, 0, 0xfff, 0x97, 0x0
  DESC S_RO, 0, 0xfffff, 0x91, 0xc
  DESC S_XO, 0, 0xfffff, 0x99, 0xc
  DESC S_RX, 0, 0xfffff, 0x9b, 0xc
  DESC S_SSLIM, 0, 0x7ffff, 0x93, 0x4
  DESC S_SSED, 0, 0x5ffff, 0x97, 0x4
  DESC S_NP, 0, 0xfffff, 0x13, 0xc
  DESC S_CSLIM, 0, ABS(cs_end), 0x9b, 0x4
  DESC S_D3, 0x10000, 0xfff, 0xf3, 0x4
  DESC S_SS3LIM, 0, 0x5ffff, 0xf3, 0x4

  ; --- expand-up, byte granular
  mov ax, S_LIM
  mov ds, ax
  TEST 1
  mov eax, [0xffc]
  EXPECT NOFAULT, 0, 0
  mov ax, S_LIM
  mov ds, ax
  TEST 2
t2: mov eax, [0xffd]
  EXPECT 13, 0, t2
  mov ax, S_LIM
  mov ds, ax
  TEST 3
  mov al, [0xfff]
  EXPECT NOFAULT, 0, 0
  mov ax, S_LIM
  mov es, ax
  TEST 4
t4: mov byte [es:0x1000], 1
  EXPECT 13, 0, t4
  ; the data really is at base + offset
  mov dword [0x10ff0], 0x5a5aa5a5
  mov ax, S_LIM
  mov fs, ax
  mov eax, [fs:0xff0]
  CHECKV 5, eax, 0x5a5aa5a5
  ; --- G=1: limit 0 means 0xfff
  mov ax, S_LIMG
  mov gs, ax
  TEST 6
  mov eax, [gs:0xffc]
  EXPECT NOFAULT, 0, 0
  mov ax, S_LIMG
  mov gs, ax
  TEST 7
t7: mov ax, [gs:0xfff]
  EXPECT 13, 0, t7
  ; --- expand-down, B=1: valid 0x1000..0xffffffff
  mov ax, S_EDB
  mov ds, ax
  TEST 8
  mov eax, [0x1000]
  mov eax, [0xfffffffc]
  EXPECT NOFAULT, 0, 0
  mov ax, S_EDB
  mov ds, ax
  TEST 9
t9: mov eax, [0xfff]
  EXPECT 13, 0, t9
  mov ax, S_EDB
  mov ds, ax
  TEST 10
t10: mov eax, [0xffffffff]
  EXPECT 13, 0, t10
  ; --- expand-down, B=0: valid 0x1000..0xffff
  mov ax, S_ED16
  mov ds, ax
  TEST 11
  mov eax, [0xfffc]
  EXPECT NOFAULT, 0, 0
  mov ax, S_ED16
  mov ds, ax
  TEST 12
t12: mov eax, [0xfffd]
  EXPECT 13, 0, t12
  mov ax, S_ED16
  mov ds, ax
  TEST 13
t13: mov eax, [0x10000]
  EXPECT 13, 0, t13
  ; --- read-only data
  mov ax, S_RO
  mov ds, ax
  TEST 14
  mov eax, [0x20000]
  EXPECT NOFAULT, 0, 0
  mov ax, S_RO
  mov ds, ax
  TEST 15
t15: mov [0x20000], eax
  EXPECT 13, 0, t15
  mov ax, S_RO
  mov ds, ax
  TEST 16
t16: add [0x20000], eax
  EXPECT 13, 0, t16
  mov ax, S_RO
  mov es, ax
  mov edi, 0x20000
  TEST 17
t17: stosd
  EXPECT 13, 0, t17
  CHECKV 18, edi, 0x20000
  ; --- code segments as data
  TEST 19
  mov ax, S_XO
t19: mov ds, ax
  EXPECT 13, S_XO, t19
  mov ax, S_RX
  mov ds, ax
  TEST 20
  mov eax, [0x20000]
  EXPECT NOFAULT, 0, 0
  mov ax, S_RX
  mov ds, ax
  TEST 21
t21: mov [0x20000], eax
  EXPECT 13, 0, t21
  ; reading through an execute-only CS
  TEST 22
  jmp S_XO:xo_code
xo_code:
t22: mov eax, [cs:0x20000]
  jmp SEL_CODE:t22_bad
t22_bad:
  EXPECT 13, 0, t22
  ; writing through a readable CS
  TEST 23
  jmp S_RX:rx_code
rx_code:
  mov eax, [cs:0x20000]
t23: mov [cs:0x20000], eax
  jmp SEL_CODE:t23_bad
t23_bad:
  EXPECT 13, 0, t23
  ; --- null selectors: loading is fine, using is #GP(0)
  TEST 24
  xor eax, eax
  mov ds, ax
  mov es, ax
  EXPECT NOFAULT, 0, 0
  xor eax, eax
  mov ds, ax
  TEST 25
t25: mov eax, [0x20000]
  EXPECT 13, 0, t25
  xor eax, eax
  mov es, ax
  mov edi, 0x20000
  TEST 26
t26: stosb
  EXPECT 13, 0, t26
  ; --- stack segment faults are #SS(0)
  TEST 27
  mov ax, S_SSLIM
  mov ss, ax
  mov ebp, 0x80000
t27: mov eax, [ebp]
  EXPECT 12, 0, t27
  TEST 28
  mov ax, S_SSLIM
  mov ss, ax
  mov ebp, 0x7fffc
  mov eax, [ebp]
  mov ax, SEL_DATA
  mov ss, ax
  EXPECT NOFAULT, 0, 0
  TEST 29
  mov ax, S_SSED
  mov ss, ax
  mov ebp, 0x5fffe
t29: mov eax, [ebp]
  EXPECT 12, 0, t29
  ; DS override on an EBP address is a #GP
  mov ax, S_LIM
  mov ds, ax
  mov ebp, 0x1000
  TEST 30
t30: mov eax, [ds:ebp]
  EXPECT 13, 0, t30
  ; push beyond a ring-3 SS limit: #SS(0), delivered on the ring-0 stack
  TEST 31
  push dword S_SS3LIM | 3
  push dword 0x60002
  push dword 2
  push dword SEL_CODE3
  push dword r3_push
  iretd
r3_push:
t31: push eax
  int 0x30
  EXPECT 12, 0, t31
  ; the ring-0 frame recorded the ring-3 SS:ESP
  CHECKV 32, [FAULT + 24], 0x60002
  CHECKV 33, [FAULT + 28], S_SS3LIM | 3
  ; --- segment register loads
  TEST 34
  mov ax, 0x808          ; beyond the GDT limit
t34: mov ds, ax
  EXPECT 13, 0x808, t34
  TEST 35
  mov ax, S_NP
t35: mov es, ax
  EXPECT 11, S_NP, t35
  TEST 36
  mov ax, S_RO
t36: mov ss, ax
  EXPECT 13, S_RO, t36
  TEST 37
  mov ax, SEL_DATA | 1    ; RPL != CPL
t37: mov ss, ax
  EXPECT 13, SEL_DATA, t37
  TEST 38
  mov ax, SEL_TSS
t38: mov ds, ax
  EXPECT 13, SEL_TSS, t38
  TEST 39
  mov ax, 0x44           ; LDT selector, no LDT
t39: mov fs, ax
  EXPECT 13, 0x44, t39
  TEST 40
  xor eax, eax
t40: mov ss, ax
  EXPECT 13, 0, t40
  ; POP DS with a bad selector leaves ESP alone
  mov ebx, esp
  push dword SEL_TSS
  TEST 41
t41: pop ds
  EXPECT 13, SEL_TSS, t41
  ; (the handler reset ESP; compare what the fault frame said instead)
  ; ring 3 may not load a DPL-0 data segment
  TEST 42
  TO_RING3 r3_load
r3_load:
  mov ax, S_D3 | 3
  mov ds, ax
  mov ax, SEL_DATA | 3
t42: mov es, ax
  int 0x30
  EXPECT 13, SEL_DATA, t42
  ; LDS with a not-present selector
  mov dword [0x20000], 0x1234
  mov word [0x20004], S_NP
  TEST 43
t43: lds eax, [0x20000]
  EXPECT 11, S_NP, t43
  ; LSS with a good one
  mov dword [0x20000], 0x7fff0
  mov word [0x20004], S_SSLIM
  mov ebx, esp
  TEST 44
  lss esp, [0x20000]
  mov ecx, esp
  mov ax, SEL_DATA
  mov ss, ax
  mov esp, ebx
  EXPECT NOFAULT, 0, 0
  CHECKV 45, ecx, 0x7fff0
  ; --- CS limit: fetch and branches
  TEST 46
  jmp S_CSLIM:cs_lim1
cs_lim1:
  nop
t46: jmp near cs_beyond          ; target beyond the limit: #GP at the JMP
  EXPECT 13, 0, t46
  TEST 47
  jmp S_CSLIM:cs_edge
  EXPECT 13, 0, t47
  TEST 48
t48: jmp S_CSLIM:cs_beyond        ; far target beyond the limit
  EXPECT 13, 0, t48
  TEST 49
  jmp S_CSLIM:cs_lim_ok
  EXPECT NOFAULT, 0, 0

  jmp finish

; code that runs under S_CSLIM
cs_lim_ok:
  nop
  jmp SEL_CODE:cs_lim_back
cs_lim_back:
  jmp [FAULT + 20]
cs_edge:
  nop
t47: mov eax, 0x12345678    ; its last byte is beyond the limit
cs_end equ $ - 2
cs_beyond:
  nop
