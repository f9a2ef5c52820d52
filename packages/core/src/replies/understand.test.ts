import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplyIntent } from '../conditions/schema.ts';
import { normaliseReply, understandReply } from './understand.ts';

/** Phrasings per language and the intent each must get. */
const INTENTS: Record<string, Array<[string, ReplyIntent]>> = {
  en: [
    ['yes', 'yes'],
    ['Yes!', 'yes'],
    ['YES', 'yes'],
    ['yeah', 'yes'],
    ['Yep.', 'yes'],
    ['yup', 'yes'],
    ['sure', 'yes'],
    ['ok', 'yes'],
    ['Okay thanks', 'yes'],
    ['yesss', 'yes'],
    ['👍', 'yes'],
    ['✅', 'yes'],
    ['of course', 'yes'],
    ['Hi, yes it arrived', 'yes'],
    ['No problem at all', 'yes'],
    ['yes it did, thanks', 'yes'],
    ['no', 'no'],
    ['No.', 'no'],
    ['nope', 'no'],
    ['nah', 'no'],
    ['not yet', 'no'],
    ['Not yet, still waiting', 'no'],
    ['no thanks', 'no'],
    ["it didn't", 'no'],
    ['👎', 'no'],
    ['NOOO', 'no'],
    ['STOP', 'stop'],
    ['Stop.', 'stop'],
    ['unsubscribe', 'stop'],
    ['help', 'help'],
    ['not sure', 'unknown'],
    ['no idea', 'unknown'],
    ['maybe', 'unknown'],
    ['yes and no', 'unknown'],
    ['yes no', 'unknown'],
    ['stop by later', 'unknown'],
    ['when will it arrive?', 'unknown'],
    ['', 'unknown'],
    ['   ', 'unknown'],
  ],
  pt: [
    ['sim', 'yes'],
    ['Sim, chegou', 'yes'],
    ['SIM!!', 'yes'],
    ['simmm', 'yes'],
    ['claro', 'yes'],
    ['pode ser', 'yes'],
    ['com certeza', 'yes'],
    ['Olá, sim obrigado', 'yes'],
    ['tá bom', 'yes'],
    ['beleza', 'yes'],
    ['chegou sim', 'yes'],
    ['não', 'no'],
    ['nao', 'no'],
    ['Não.', 'no'],
    ['ainda não', 'no'],
    ['Ainda nao chegou', 'no'],
    ['não chegou', 'no'],
    ['não, não chegou nada', 'no'],
    ['nãooo', 'no'],
    ['não obrigado', 'no'],
    ['nunca', 'no'],
    ['não sei', 'unknown'],
    ['talvez', 'unknown'],
    ['sim e não', 'unknown'],
    ['já chegou', 'yes'], // "already arrived": read as the German ja, right for the question
    ['PARAR', 'stop'],
    ['ajuda', 'help'],
  ],
  es: [
    ['sí', 'yes'],
    ['si', 'yes'],
    ['Sí, gracias', 'yes'],
    ['vale', 'yes'],
    ['claro', 'yes'],
    ['claro que sí', 'yes'],
    ['de acuerdo', 'yes'],
    ['por supuesto', 'yes'],
    ['sí, llegó', 'yes'],
    ['no', 'no'],
    ['No gracias', 'no'],
    ['todavía no', 'no'],
    ['aún no', 'no'],
    ['para nada', 'no'],
    ['no sé', 'unknown'],
    ['tal vez', 'unknown'],
    ['ayuda', 'help'],
  ],
  fr: [
    ['oui', 'yes'],
    ['Oui !', 'yes'],
    ['ouais', 'yes'],
    ["d'accord", 'yes'],
    ['D’accord, merci', 'yes'],
    ['bien sûr', 'yes'],
    ['tout à fait', 'yes'],
    ['non', 'no'],
    ['Non merci', 'no'],
    ['pas encore', 'no'],
    ['pas du tout', 'no'],
    ['je ne sais pas', 'unknown'],
    ['peut-être', 'unknown'],
    ['arrêt', 'stop'],
  ],
  de: [
    ['ja', 'yes'],
    ['Ja!', 'yes'],
    ['jawohl', 'yes'],
    ['klar', 'yes'],
    ['na klar', 'yes'],
    ['genau', 'yes'],
    ['ja, ist angekommen', 'yes'],
    ['nein', 'no'],
    ['Nein danke', 'no'],
    ['noch nicht', 'no'],
    ['leider nicht', 'no'],
    ['nö', 'no'],
    ['keine Ahnung', 'unknown'],
    ['vielleicht', 'unknown'],
    ['ja und nein', 'unknown'],
    ['STOPP', 'stop'],
  ],
  he: [
    ['כן', 'yes'],
    ['כן!', 'yes'],
    ['בטח', 'yes'],
    ['בסדר', 'yes'],
    ['כן, הגיע', 'yes'],
    ['לא', 'no'],
    ['לא.', 'no'],
    ['עוד לא', 'no'],
    ['ממש לא', 'no'],
    ['לא יודע', 'unknown'],
    ['אולי', 'unknown'],
    ['הסר', 'stop'],
  ],
};

describe('understandReply: intent', () => {
  for (const [language, cases] of Object.entries(INTENTS)) {
    it(`reads yes / no / stop / help / unknown in ${language}`, () => {
      for (const [text, intent] of cases) {
        assert.equal(understandReply(text).intent, intent, `${language}: ${JSON.stringify(text)}`);
      }
    });
  }

  it('lets the first words decide: a long message merely containing "no" is not a no', () => {
    const long =
      'I was wondering whether there is any way to change the delivery address, no rush at all, ' +
      'just let me know when you can';
    assert.equal(understandReply(long).intent, 'unknown');
    assert.equal(
      understandReply('Hello there, I have a question about my order and whether yes is right')
        .intent,
      'unknown',
    );
  });

  it('takes a long message whose answer stands apart at the start', () => {
    const yes =
      'Yes, it arrived on Tuesday afternoon and the courier was very kind, thank you all so much';
    assert.equal(understandReply(yes).intent, 'yes');
    const no =
      'Não. Ainda estou à espera e já liguei duas vezes para a transportadora sem qualquer resposta';
    assert.equal(understandReply(no).intent, 'no');
    const plain =
      'yes I think the parcel may have come but I have not had time to open the box or check it';
    assert.equal(understandReply(plain).intent, 'unknown', 'no pause after it: not an answer');
  });
});

/** Texts and the score each gives (undefined: none). */
const SCORES: Array<[string, number | undefined]> = [
  ['5', 5],
  ['0', 0],
  ['10', 10],
  ['4/5', 4],
  ['4 / 5', 4],
  ['8/10', 8],
  ['10/10', 10],
  ['4 out of 5', 4],
  ['4 de 5', 4],
  ['4 sur 5', 4],
  ['4 von 5', 4],
  ['4 מתוך 5', 4],
  ['★★★★', 4],
  ['★★★☆☆', 3],
  ['⭐⭐⭐⭐⭐', 5],
  ['5 stars', 5],
  ['3 estrelas', 3],
  ['five', 5],
  ['Four!', 4],
  ['quatro', 4],
  ['dois', 2],
  ['uno', 1],
  ['cinco', 5],
  ['deux', 2],
  ['neuf', 9],
  ['zwei', 2],
  ['fünf', 5],
  ['חמש', 5],
  ['4,5', 4.5],
  ['5 - great service', 5],
  ['nota 9', 9],
  ['um', 1],
  ['2024', undefined],
  ['11', undefined],
  ['6/5', undefined],
  ['un peu', undefined],
  ['yes', undefined],
  ["I'd give it 8", undefined],
  ['I ordered 2 and got 3', undefined],
];

describe('understandReply: score', () => {
  it('reads numbers, number words, fractions and stars', () => {
    for (const [text, score] of SCORES) {
      assert.equal(understandReply(text).score, score, JSON.stringify(text));
    }
  });

  it('takes a lone number anywhere in a short answer when a score is expected', () => {
    assert.equal(understandReply("I'd give it 8", { expect: 'score' }).score, 8);
    assert.equal(understandReply('dou 4 porque demorou', { expect: 'score' }).score, 4);
    assert.equal(
      understandReply('I ordered 2 and got 3', { expect: 'score' }).score,
      undefined,
      'two numbers: ambiguous',
    );
  });

  it('drops scores outside the scale', () => {
    assert.equal(understandReply('7', { scale: { min: 1, max: 5 } }).score, undefined);
    assert.equal(understandReply('0', { scale: { min: 1, max: 5 } }).score, undefined);
    assert.equal(understandReply('5', { scale: { min: 1, max: 5 } }).score, 5);
  });

  it('keeps the intent apart from the score', () => {
    assert.deepEqual(understandReply('4/5'), {
      text: '4/5',
      intent: 'unknown',
      score: 4,
      keyword: '4/5',
    });
  });
});

describe('understandReply: keyword and text', () => {
  it('upper-cases the first word without punctuation, keeping the raw text', () => {
    assert.deepEqual(understandReply('Slides, please!'), {
      text: 'Slides, please!',
      intent: 'unknown',
      keyword: 'SLIDES',
    });
    assert.equal(understandReply('  "info"  ').keyword, 'INFO');
    assert.equal(understandReply('olá').keyword, 'OLÁ');
    assert.equal(understandReply('👍').keyword, undefined);
  });
});

describe('normaliseReply', () => {
  it('drops accents, case and punctuation; spells out answer emoji; keeps decimals and "/"', () => {
    assert.equal(normaliseReply('Não, AINDA não!'), 'nao ainda nao');
    assert.equal(normaliseReply("D'accord 👍"), 'd accord yes');
    assert.equal(normaliseReply('4,5/5'), '4.5 / 5');
    assert.equal(normaliseReply('Straße'), 'strasse');
  });
});
