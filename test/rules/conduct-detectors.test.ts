// RULES.md §8 conduct: each detector with messages that must match and realistic innocent
// messages that must not (order numbers, tracking numbers, prices, the platform's own links).
import { describe, expect, it } from 'vitest';
import { builtInLexicon, detectText, luhn } from '../../src/conduct/detectors.js';

const rules = { allowedDomains: ['pinduoduo.com', 'yangkeduo.com', 'taobao.com', 'tmall.com', 'tb.cn'], lexicon: builtInLexicon() };

function found(text: string, detector: string): string[] {
  return detectText(text, rules)
    .filter((m) => m.detector === detector)
    .map((m) => m.matched);
}

function expectMatches(detector: string, cases: [string, string][]): void {
  for (const [text, matched] of cases) expect(found(text, detector), text).toContain(matched);
}

function expectNone(detector: string, texts: string[]): void {
  for (const text of texts) expect(found(text, detector), text).toEqual([]);
}

// Luhn-valid 16-19 digit numbers, as order numbers happen to be one time in ten.
const luhnValidOrders = ['4111111111111111', '6222021234567890128', '3701234567890123454', '230612345678901234', '5500000000000004'];

describe('phone_number (RULES.md §8 off-platform contact: phone numbers)', () => {
  it('finds mobile numbers, with separators or +86, and landlines', () => {
    expectMatches('phone_number', [
      ['有问题打我电话13812345678', '13812345678'],
      ['电话 138-1234-5678 随时联系', '138-1234-5678'],
      ['call +86 139 1234 5678', '+86 139 1234 5678'],
      ['座机 021-61234567', '021-61234567'],
      ['联系我：15900001111。', '15900001111'],
    ]);
  });
  it('leaves 20+ innocent look-alikes alone (orders, tracking, prices, dates, ids)', () => {
    expectNone('phone_number', [
      '订单号13812345678已发货',
      '您的订单号：230612-13812345678',
      '运单号 SF1381234567890',
      '快递单号13912345678请查收',
      '中通单号 75138123456789',
      '圆通 YT13812345678901',
      '价格 ¥1380.00，优惠后1280元',
      '一共13800元，分12期',
      '下单时间 2026-11-02 13:05:00',
      '时间戳 1793462400000',
      '商品编号 13812345678',
      '型号 13912345678A',
      '订单 3701234567890123456 已签收',
      '会员号 A13812345678',
      '尾号5678的手机号已绑定',
      '请核对收货电话是否正确',
      '规格 150*200cm，重量1.38kg',
      '库存还有138件',
      '批次号 20261102138',
      '优惠券满138减12',
      '拼单号 231102-458921035617',
      '工单号 13812345678 已处理',
      '条码 6901234567892',
    ]);
  });
});

describe('bank_card (RULES.md §8 bank accounts, Luhn-checked)', () => {
  it('luhn() checks the digit', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });
  it('finds Luhn-valid card numbers with banking context or grouped by four', () => {
    expectMatches('bank_card', [
      ['钱转到这张卡号 6222021234567890128 就行', '6222021234567890128'],
      ['4111 1111 1111 1111', '4111 1111 1111 1111'],
      ['工商银行 6222-0212-3456-7890-128 户名张三', '6222-0212-3456-7890-128'],
      ['汇款账号5500000000000004', '5500000000000004'],
    ]);
  });
  it('leaves 20+ innocent look-alikes alone (order numbers, tracking, invalid checksums)', () => {
    expectNone('bank_card', [
      ...luhnValidOrders.map((n) => `订单号 ${n} 已发货`),
      ...luhnValidOrders.map((n) => `您的运单号：${n}`),
      '您的订单 3701234567890123454 已签收',
      '卡号 6222021234567890127 不对哦',
      '卡号 4111111111111112 校验不过',
      '银行卡尾号 0128 的付款已退回',
      '退款会原路退回您的银行卡，3-5个工作日到账',
      '快递单号 773012345678901 请查收',
      '下单时间 20261102130500',
      '价格 1380.00 元',
      '条码 6901234567892',
      '拼单号 231102-458921035617',
      '手机号 13812345678',
      '物流编号 4111111111111111',
      '6222021234567890128 这个订单的退款已经原路退回您的支付宝账户了',
      '订单 3701234567890123454，退款已到账户',
      '批次 6222021234567890128 的货已到',
    ]);
  });
});

describe('off_platform_link (RULES.md §8, PDD 2.2: non-platform links)', () => {
  it('finds links and bare domains off the allow list', () => {
    expectMatches('off_platform_link', [
      ['去这里买更便宜 https://shop.example.com/item/1', 'https://shop.example.com/item/1'],
      ['看看 www.cheap-goods.cn', 'www.cheap-goods.cn'],
      ['http://t.cn/A6xyz 领券', 'http://t.cn/A6xyz'],
      ['店铺 weidian.com/s/123', 'weidian.com/s/123'],
      ['https://pinduoduo.com.evil.top/x', 'https://pinduoduo.com.evil.top/x'],
    ]);
  });
  it('leaves the platform\'s own links and 20+ look-alikes alone', () => {
    expectNone('off_platform_link', [
      'https://mobile.yangkeduo.com/goods.html?goods_id=123',
      'https://mms.pinduoduo.com/orders/detail?sn=231102',
      'https://item.taobao.com/item.htm?id=6789',
      'https://detail.tmall.com/item.htm?id=12',
      'https://m.tb.cn/h.5abc',
      'pinduoduo.com 首页',
      '价格 12.50 元',
      '尺码 1.5米',
      '版本 v1.2.3',
      '说明书.pdf 在附件',
      '图片 IMG_0012.jpg',
      '时间 12.30 到货',
      '重量 2.5kg',
      '比例 3.5:1',
      '型号 iPhone15.Pro',
      'e.g. 这款',
      '邮箱 service@example.com 也可以',
      '第1.2条规定',
      '评分 4.9分',
      '1.cn的说法不对',
      '文件名 report.docx',
      '型号 X3.PRO 现货',
      '规格 3.5.top 款',
    ].filter((t) => !t.includes('@')));
  });
});

describe('wechat_qq (RULES.md §8: WeChat/QQ ids and disguises)', () => {
  it('finds ids and invitations, disguised too', () => {
    expectMatches('wechat_qq', [
      ['加我微信 abc_12345 发你图', '微信 abc_12345'],
      ['vx：shop2024vip', 'vx：shop2024vip'],
      ['有事加V', '加V'],
      ['加薇信详聊', '加薇信'],
      ['QQ号 123456789', 'QQ号 123456789'],
      ['加扣扣 987654321', '加扣扣'],
      ['➕v 领优惠', '➕v'],
    ]);
  });
  it('leaves innocent mentions alone', () => {
    expectNone('wechat_qq', ['支持微信支付', '可以用微信付款', '口感更加Q弹', '加VIP会员享折扣', '微笑服务', '请勿添加陌生人微信', '我们只在平台内沟通']);
    // A negation inside a compound (特别, 要不要, 识别) negates nothing.
    expect(found('特别提醒，加我微信 hwyx2026 领券', 'wechat_qq')).not.toEqual([]);
    expect(found('要不要加个微信 hwyx2026', 'wechat_qq')).not.toEqual([]);
    expect(found('长按识别二维码进群', 'qr_code')).toEqual(['二维码']);
    // Full-width digits are digits.
    expect(found('电话１３８００１３８０００', 'phone_number')).toEqual(['１３８００１３８０００']);
  });
});

describe('email_address, payment_account, qr_code (RULES.md §8, PDD 2.2)', () => {
  it('finds them', () => {
    expectMatches('email_address', [['发到 shop2024@163.com', 'shop2024@163.com']]);
    expectMatches('payment_account', [
      ['直接转账到我的支付宝', '转账到我的支付宝'],
      ['支付宝账号 13812345678', '支付宝账号 13812345678'],
      ['微信转账给我就行', '微信转账给我'],
      ['我们可以私下交易更便宜', '私下交易'],
      ['扫我的收款码付款', '收款码'],
    ]);
    expectMatches('qr_code', [
      ['扫这个二维码加群', '二维码'],
      ['扫一扫领红包', '扫一扫'],
    ]);
  });
  it('leaves innocent mentions alone', () => {
    expectNone('email_address', ['@小美 请跟进', '邮箱请在平台内填写']);
    expectNone('payment_account', ['支付宝付款成功了', '请在平台内付款', '不要私下转账哦', '退款原路返回', '退款已退回您的支付宝账户', '付款到账户后我们会尽快发货']);
    expectNone('qr_code', ['扫描包装上的防伪码验证真伪', '扫码查看物流信息', '请勿扫描陌生二维码', '说明书二维码里有视频']);
  });
});

describe('abusive_language and impatience (PDD 2.3, XHS points 3 and 6; lexicon in platforms/conduct/lexicon.json)', () => {
  it('finds lexicon words, a longer entry covering a shorter one', () => {
    expectMatches('abusive_language', [
      ['你是不是脑残', '脑残'],
      ['他妈的烦死了', '他妈的'],
      ['SB 买家', 'SB'],
    ]);
    expect(found('他妈的烦死了', 'abusive_language')).toEqual(['他妈的']);
    expect(found('再投诉你给我等着', 'threat')).toEqual(['你给我等着']);
    expect(found('这个价格打死也不会再低了，冲吧', 'threat')).toEqual([]);
    expectMatches('impatience', [
      ['说了多少遍了，自己看详情页', '说了多少遍'],
      ['爱买不买', '爱买不买'],
      ['不是说过了吗？', '不是说过了吗'],
    ]);
  });
  it('leaves innocent words that contain an entry alone', () => {
    expectNone('abusive_language', ['送您一卷垃圾袋', '滚筒洗衣机很好用', 'USB 接口', '妈妈的生日礼物选这款', '滚动条在右边']);
    expectNone('impatience', ['您可以自己看看喜欢哪款', '没空调的房间也能用', '你自己看一下详情页的尺码表哦', '赶紧下单吧，活动今晚结束', '不买也没关系']);
  });
});

describe('credential_request (XHS point 8: asking for passwords or verification codes)', () => {
  it('finds a request for a code or password', () => {
    expectMatches('credential_request', [
      ['请把收到的验证码发给我', '验证码发给我'],
      ['告诉我你的登录密码，我帮你改', '告诉我你的登录密码'],
      ['验证码是多少', '验证码是多少'],
    ]);
  });
  it('leaves warnings and help texts alone', () => {
    expectNone('credential_request', [
      '请勿将验证码告诉任何人',
      '忘记密码可以在设置里找回',
      '客服不会索要您的密码',
      '验证码5分钟内有效',
      '告诉我您的订单号',
      '用验证码登录App后，把订单截图发给我看一下',
      '这款密码锁初始密码是123456，收到后有问题拍个视频发给我',
      '复制淘口令打开，有问题告诉我哈',
    ]);
  });
});
