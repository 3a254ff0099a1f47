import type { Citation, Value } from '../../events/index.js';

/**
 * The Sky ECC case of March 2021, as two press articles (one English, one French) reported it.
 * Quotes are verbatim from the articles; where the two disagree, both are kept.
 */
export const SOURCES = {
  europol: { name: 'Europol', kind: 'agency', url: 'https://www.europol.europa.eu/', language: 'en' },
  skyecc: { name: 'Sky ECC', kind: 'company', language: 'en' },
  iics: { name: 'International Institute of Cyber Security (IICS)', kind: 'newspaper', language: 'en' },
  zdnet: { name: 'ZDNet France', kind: 'newspaper', url: 'https://www.zdnet.fr/', language: 'fr' },
  parquet: { name: 'Parquet de Paris (French prosecutor)', kind: 'agency', language: 'fr' },
  nca: { name: 'National Crime Agency (UK)', kind: 'agency', language: 'en' },
} as const;
export type SourceName = keyof typeof SOURCES;

export const ARTICLE_EN: Citation = {
  title: 'IICS news report: Sky ECC network hacked, arrests across Europe',
  publishedAt: '2021-03',
  language: 'en',
};
export const ARTICLE_FR: Citation = {
  title: "Sky ECC : Europol annonce une opération de démantèlement, l'organisation dément",
  publishedAt: '2021-03',
  language: 'fr',
};

export interface DemoAssertion {
  key: string;
  fact: string;
  value: Value;
  validTime?: string;
  source: SourceName;
  citation: Citation;
  quote: string;
}

const about = (value: number, text: string, unit?: string): Value => ({ type: 'quantity', value, approximate: true, text, ...(unit ? { unit } : {}) });

export const ASSERTIONS: DemoAssertion[] = [
  { key: 'users-skyecc', fact: 'users.worldwide', value: about(170_000, 'around 170,000 people'), source: 'skyecc', citation: ARTICLE_EN, quote: 'is currently employed by around 170,000 people worldwide' },
  { key: 'users-europol', fact: 'users.worldwide', value: about(170_000, 'environ 170 000 utilisateurs'), source: 'europol', citation: ARTICLE_FR, quote: 'Selon Europol, il y a environ 170 000 utilisateurs de Sky ECC' },
  // Recorded with a slipped digit and corrected below, so the history and "as of" have something to show.
  { key: 'messages-skyecc', fact: 'messages.per-day', value: about(300_000, 'around 3 million messages'), source: 'skyecc', citation: ARTICLE_EN, quote: 'around 3 million messages are distributed a day' },
  { key: 'messages-europol', fact: 'messages.per-day', value: about(3_000_000, 'environ trois millions de messages'), source: 'europol', citation: ARTICLE_FR, quote: 'environ trois millions de messages sont envoyés quotidiennement via la plateforme' },
  { key: 'unlocked-europol', fact: 'encryption.compromised', value: { type: 'boolean', value: true }, validTime: '2021-02~/2021-03-09', source: 'europol', citation: ARTICLE_EN, quote: 'The unlocking of Sky ECC will allow access to information shared between multiple cybercriminal groups operating in the European Union' },
  { key: 'unlocked-europol-fr', fact: 'encryption.compromised', value: { type: 'boolean', value: true }, validTime: '2021-02~/2021-03-09', source: 'europol', citation: ARTICLE_FR, quote: 'il a été possible de « débloquer le chiffrement » de Sky ECC' },
  { key: 'secure-skyecc', fact: 'encryption.compromised', value: { type: 'boolean', value: false }, validTime: '2021-03-08', source: 'skyecc', citation: ARTICLE_EN, quote: 'The SKY ECC platform remains secure and no authorized SKY ECC device has been hacked' },
  { key: 'monitored-iics', fact: 'messages.monitored', value: { type: 'quantity', min: 100_000, max: 1_000_000, text: 'hundreds of thousands of messages' }, source: 'iics', citation: ARTICLE_EN, quote: 'to monitor the communications of at least 70 thousand users of this platform through hundreds of thousands of messages' },
  { key: 'monitored-europol', fact: 'messages.monitored', value: { type: 'quantity', min: 100_000_000, max: 1_000_000_000, text: 'des centaines de millions de messages' }, source: 'europol', citation: ARTICLE_FR, quote: 'a fourni des informations inestimables sur des centaines de millions de messages échangés entre criminels' },
  { key: 'users-monitored-iics', fact: 'users.monitored', value: { type: 'quantity', min: 70_000, text: 'at least 70 thousand users' }, validTime: '2021-02~/2021-03-09', source: 'iics', citation: ARTICLE_EN, quote: 'monitor the communications of at least 70 thousand users of this platform' },
  { key: 'users-monitored-europol', fact: 'users.monitored', value: about(70_000, 'quelques 70 000 utilisateurs'), validTime: '2021-02-15~/2021-03-09', source: 'europol', citation: ARTICLE_FR, quote: 'depuis la mi-février environ, les sessions de chat établies entre quelques 70 000 utilisateurs ont été surveillées' },
  { key: 'searches-iics', fact: 'searches.be-nl', value: { type: 'date', value: '2021-03-09' }, validTime: '2021-03-09', source: 'iics', citation: ARTICLE_EN, quote: 'police agencies in the Netherlands and Belgium obtained search warrants for multiple locations, which were deployed on Wednesday, March 9' },
  { key: 'searches-europol', fact: 'searches.be-nl', value: { type: 'date', value: '2021-03-09' }, validTime: '2021-03-09', source: 'europol', citation: ARTICLE_FR, quote: '« grand nombre d’arrestations » lors d’une opération des forces de l’ordre le 9 mars. Des perquisitions ont eu lieu en Belgique et aux Pays-Bas' },
  { key: 'investigation-fr', fact: 'investigation.fr.opened', value: { type: 'date', value: '2019-07-20' }, validTime: '2019-07-20/..', source: 'parquet', citation: ARTICLE_FR, quote: 'les investigations portant sur Sky ECC sont ouvertes depuis le 20 juillet 2019' },
  { key: 'announcement', fact: 'europol.announcement', value: { type: 'text', value: 'Europol announces that the encryption of Sky ECC was unlocked' }, validTime: '2021-03-10', source: 'zdnet', citation: ARTICLE_FR, quote: 'Le 10 mars, Europol a annoncé qu’en collaboration avec plusieurs services répressifs de Belgique, de France et des Pays-Bas, il a été possible de « débloquer le chiffrement » de Sky ECC.' },
  { key: 'interruptions', fact: 'servers.interruptions', value: { type: 'boolean', value: true }, validTime: '2021-03-08', source: 'skyecc', citation: ARTICLE_FR, quote: 'la société a également constaté des « interruptions temporaires en rapport avec ses serveurs » le 8 mars' },
  { key: 'share-be-nl', fact: 'users.share-be-nl', value: { type: 'quantity', min: 20, unit: 'percent', text: 'plus de 20 %' }, source: 'europol', citation: ARTICLE_FR, quote: 'plus de 20 % des utilisateurs de Sky ECC se trouveraient en Belgique et aux Pays-Bas' },
  { key: 'price', fact: 'subscription.price', value: { type: 'quantity', value: 2000, unit: 'EUR', text: '2 000 euros pour une ligne et six mois d’abonnement' }, source: 'parquet', citation: ARTICLE_FR, quote: 'le communiqué évoque le prix de 2 000 euros pour une ligne et six mois d’abonnement' },
  { key: 'not-contacted', fact: 'skyecc.contacted-by-authorities', value: { type: 'boolean', value: false }, source: 'skyecc', citation: ARTICLE_EN, quote: 'Sky ECC added that no judicial or police authority approached with respect to this investigation' },
  { key: 'encrochat', fact: 'encrochat.servers-seized', value: { type: 'date', value: '2020-07' }, validTime: '2020-07', source: 'nca', citation: ARTICLE_FR, quote: 'En juillet 2020, l’Agence nationale britannique de lutte contre la criminalité (NCA) a saisi les serveurs d’EncroChat' },
  // Filed in error: the "hundreds of suspects" were arrested in the EncroChat case a year earlier. Retracted below.
  { key: 'arrests-misfiled', fact: 'arrests.count', value: { type: 'quantity', min: 100, max: 1000, text: 'hundreds of suspects' }, validTime: '2021-03-09', source: 'iics', citation: ARTICLE_EN, quote: 'A year ago, European police agencies also arrested hundreds of suspects after successfully deciphering the EncroChat communication platform.' },
];
