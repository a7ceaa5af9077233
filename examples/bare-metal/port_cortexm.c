/*
 * port_cortexm.c - the byte port and start-up code of the bare-metal example
 * on a Cortex-M4 without an operating system, written against the registers of
 * an STM32F4 (USART2 on PA2/PA3 at 9600 baud from the 16 MHz HSI clock,
 * SysTick at 1 kHz). Another board changes the register addresses below and
 * nothing else.
 *
 * Memory map and the stack reservation are in cortex-m4.ld. Received octets go
 * into a ring buffer from the USART interrupt; port_write sends by polling.
 */
#include <stdint.h>

#include "app.h"
#include "port.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRL REG(0x40020020u)
#define USART2_SR REG(0x40004400u)
#define USART2_DR REG(0x40004404u)
#define USART2_BRR REG(0x40004408u)
#define USART2_CR1 REG(0x4000440Cu)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER1 REG(0xE000E104u)

#define CPU_HZ 16000000u
#define BAUD 9600u
#define USART2_IRQ 38

static volatile uint32_t ms;
static volatile uint8_t rx_ring[256];
static volatile uint8_t rx_head; /* written by the interrupt */
static uint8_t rx_tail;          /* read by port_read */

void SysTick_Handler(void);
void USART2_IRQHandler(void);
void Reset_Handler(void);
void Default_Handler(void);

void SysTick_Handler(void)
{
    ms++;
}

void USART2_IRQHandler(void)
{
    while (USART2_SR & (1u << 5)) { /* RXNE; reading DR clears it (and an overrun) */
        uint8_t b = (uint8_t)USART2_DR;
        if ((uint8_t)(rx_head + 1) != rx_tail) rx_ring[rx_head++] = b; /* full: drop, the link CRC notices */
    }
}

size_t port_read(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap && rx_tail != rx_head) buf[n++] = rx_ring[rx_tail++];
    return n;
}

void port_write(const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(USART2_SR & (1u << 7))) { /* TXE */
        }
        USART2_DR = buf[i];
    }
}

uint32_t port_millis(void)
{
    return ms;
}

static void board_init(void)
{
    RCC_AHB1ENR |= 1u << 0;                                   /* GPIOA */
    RCC_APB1ENR |= 1u << 17;                                  /* USART2 */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4); /* PA2, PA3: alternate function */
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8); /* AF7 = USART2 */
    USART2_BRR = (CPU_HZ + BAUD / 2) / BAUD;
    USART2_CR1 = (1u << 13) | (1u << 5) | (1u << 3) | (1u << 2); /* UE, RXNEIE, TE, RE */
    NVIC_ISER1 = 1u << (USART2_IRQ - 32);
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7; /* processor clock, interrupt, enable */
}

int main(void);
int main(void)
{
    board_init();
    if (app_init() != 0)
        for (;;) { /* the arena is too small for the configuration: stop here (a debugger shows it) */
        }
    for (;;) app_poll();
}

/* ---- start-up: copy .data, clear .bss, run main; the vector table ---- */

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

void Reset_Handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    main();
    for (;;) {
    }
}

void Default_Handler(void)
{
    for (;;) {
    }
}

typedef void (*vector)(void);
__attribute__((section(".isr_vector"), used)) static const vector vectors[16 + USART2_IRQ + 1] = {
    [0] = (vector)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = Default_Handler,  /* NMI */
    [3] = Default_Handler,  /* HardFault */
    [4] = Default_Handler,  /* MemManage */
    [5] = Default_Handler,  /* BusFault */
    [6] = Default_Handler,  /* UsageFault */
    [11] = Default_Handler, /* SVCall */
    [14] = Default_Handler, /* PendSV */
    [15] = SysTick_Handler,
    [16 + USART2_IRQ] = USART2_IRQHandler,
};
