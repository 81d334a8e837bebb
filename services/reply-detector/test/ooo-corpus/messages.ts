/**
 * The out-of-office and "stop emailing me" messages of test/ooo-corpus, per language, written for
 * Telltale in the shapes Exchange/Microsoft 365 (localised "Automatic reply:" prefix, legacy
 * charsets on older servers), Gmail's vacation responder (UTF-8, Auto-Submitted: auto-replied) and
 * Zimbra (Auto-Submitted: auto-replied (zimbra; vacation)) send. The return date of each is worked
 * out by hand from the text and the message's Date: "until X" and "back on X" mean X; an end
 * date marked inclusive ("through", "einschließlich", "t/m", "по", "включительно"…) means the day
 * after. `write-corpus.ts` turns these into .eml files; the table test reads only the files.
 */
export type Provider = 'exchange' | 'gmail' | 'zimbra';
export type TransferEncoding = 'quoted-printable' | 'base64' | '8bit';

export interface Shape {
  subject: string;
  body: string;
  charset: string;
  encoding: TransferEncoding;
  returnDate: string | null;
}

export interface LanguageSet {
  /** Folder and label, e.g. "pt-BR". */
  label: string;
  /** Content-Language Exchange writes. */
  locale: string;
  sender: { name: string; address: string };
  exchange: Shape;
  gmail: Shape;
  zimbra: Shape;
}

/** Dates of the three shapes: Exchange Tue 1 Dec, Gmail Mon 7 Dec, Zimbra Thu 10 Dec 2026. */
export const DATES: Record<Provider, string> = {
  exchange: 'Tue, 1 Dec 2026 09:12:04 +0000',
  gmail: 'Mon, 7 Dec 2026 10:01:33 +0100',
  zimbra: 'Thu, 10 Dec 2026 14:20:11 +0100 (CET)',
};
export const ORIGINAL_SUBJECT = 'Quick question about your logistics stack';

const s = (subject: string, body: string, returnDate: string | null, charset = 'utf-8', encoding: TransferEncoding = 'quoted-printable'): Shape => ({ subject, body, charset, encoding, returnDate });

export const LANGUAGE_SETS: LanguageSet[] = [
  {
    label: 'en', locale: 'en-US', sender: { name: 'Jordan Blake', address: 'jordan.blake@harborline.com' },
    exchange: s('Automatic reply: ', 'Thank you for your email. I am out of the office until Monday, December 14, with limited access to email. For urgent matters please contact Jane Miller (jane.miller@harborline.com).\n\nBest regards,\nJordan', '2026-12-14', 'us-ascii'),
    gmail: s('Out of office', "Hi,\n\nI'm on annual leave from 7/12 to 18/12 (UK dates) and will reply when I'm back.\n\nThanks,\nJordan", '2026-12-18'),
    zimbra: s('Vacation reply', 'I am away through January 4, 2027 and will respond to your message upon my return.', '2027-01-05', 'us-ascii', '8bit'),
  },
  {
    label: 'de', locale: 'de-DE', sender: { name: 'Katrin Schäfer', address: 'k.schaefer@nordlicht-logistik.de' },
    exchange: s('Automatische Antwort: ', 'Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 11.12. nicht im Büro und habe keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an Frau Schulz (schulz@nordlicht-logistik.de).\n\nMit freundlichen Grüßen\nKatrin Schäfer', '2026-12-12', 'iso-8859-1'),
    gmail: s('Abwesenheit', 'Hallo,\n\nich bin vom 7. bis 18. Dezember im Urlaub. Ab dem 21. Dezember bin ich wieder für Sie da.\n\nViele Grüße\nKatrin', '2026-12-21'),
    zimbra: s('Abwesenheitsnotiz', 'Guten Tag,\n\nbis zum 8. Januar bin ich nicht erreichbar. Ihre E-Mail wird nicht weitergeleitet.', '2027-01-08', 'utf-8', 'base64'),
  },
  {
    label: 'fr', locale: 'fr-FR', sender: { name: 'Camille Lefèvre', address: 'c.lefevre@atlantique-fret.fr' },
    exchange: s('Réponse automatique : ', "Bonjour,\n\nJe suis absente du bureau jusqu'au lundi 14 décembre inclus, avec un accès limité à mes e-mails. Pour toute urgence, contactez Marc Dubois.\n\nCordialement,\nCamille Lefèvre", '2026-12-15', 'windows-1252'),
    gmail: s('Absence', 'Bonjour,\n\nJe serai en congés du 7 au 18/12 et de retour le 21/12. Merci de votre compréhension.\n\nCamille', '2026-12-21'),
    zimbra: s('Absent du bureau', "Je suis en déplacement jusqu'au 1er janvier 2027. Je traiterai votre message à mon retour.", '2027-01-01', 'iso-8859-15'),
  },
  {
    label: 'es', locale: 'es-ES', sender: { name: 'Laura Martín', address: 'l.martin@puertosur.es' },
    exchange: s('Respuesta automática: ', 'Gracias por su mensaje. Estaré fuera de la oficina hasta el 14 de diciembre con acceso limitado al correo. Para asuntos urgentes, contacte con Laura Gómez.\n\nUn saludo,\nLaura Martín', '2026-12-14', 'iso-8859-1'),
    gmail: s('Fuera de la oficina', 'Hola:\n\nEstoy de vacaciones del 7 al 20/12. Regresaré el lunes 21 de diciembre.\n\nLaura', '2026-12-21'),
    zimbra: s('Ausente', 'Me encuentro de viaje hasta el 8 de enero de 2027 inclusive.', '2027-01-09', 'iso-8859-1', '8bit'),
  },
  {
    label: 'it', locale: 'it-IT', sender: { name: 'Giorgio Ferri', address: 'g.ferri@trasporti-adriatici.it' },
    exchange: s('Risposta automatica: ', 'Grazie per il suo messaggio. Sono fuori ufficio fino al 14 dicembre con accesso limitato alla posta. Per urgenze contattare Giulia Rossi.\n\nCordiali saluti,\nGiorgio Ferri', '2026-12-14', 'iso-8859-15'),
    gmail: s('Fuori sede', 'Buongiorno,\n\nsarò in ferie dal 7 al 18 dicembre. Al mio rientro, il 21/12, risponderò al suo messaggio.\n\nGiorgio', '2026-12-21'),
    zimbra: s('Assente', 'Sono assente fino al 7 gennaio compreso.', '2027-01-08'),
  },
  {
    label: 'nl', locale: 'nl-NL', sender: { name: 'Sanne Bakker', address: 's.bakker@havenlijn.nl' },
    exchange: s('Automatisch antwoord: ', 'Bedankt voor uw bericht. Ik ben afwezig tot en met vrijdag 11 december en heb beperkt toegang tot mijn e-mail. Voor dringende zaken kunt u contact opnemen met Sanne de Vries.\n\nMet vriendelijke groet,\nSanne Bakker', '2026-12-12', 'windows-1252'),
    gmail: s('Afwezig', 'Hallo,\n\nIk ben met vakantie van 7 t/m 18 december. Vanaf maandag 21 december ben ik weer bereikbaar.\n\nSanne', '2026-12-21'),
    zimbra: s('Buiten kantoor', 'Ik ben niet aanwezig tot 04-01-2027.', '2027-01-04', 'us-ascii', '8bit'),
  },
  {
    label: 'pt', locale: 'pt-PT', sender: { name: 'João Ferreira', address: 'j.ferreira@tejo-cargas.pt' },
    exchange: s('Resposta automática: ', 'Obrigado pelo seu e-mail. Estou ausente do escritório até 14 de dezembro, com acesso limitado ao e-mail. Para assuntos urgentes, contacte a Ana Sousa.\n\nCumprimentos,\nJoão Ferreira', '2026-12-14', 'iso-8859-1'),
    gmail: s('Ausente', 'Olá,\n\nEstarei de férias de 7 a 18/12. Regresso no dia 21/12.\n\nJoão', '2026-12-21'),
    zimbra: s('Fora do escritório', 'Estou em viagem até 6 de janeiro de 2027.', '2027-01-06'),
  },
  {
    label: 'pt-BR', locale: 'pt-BR', sender: { name: 'Mariana Costa', address: 'mariana.costa@rotaverde.com.br' },
    exchange: s('Resposta automática: ', 'Olá! Estou fora do escritório até segunda-feira, 14/12, com acesso limitado ao e-mail. Em caso de urgência, fale com Carlos Lima pelo telefone (11) 3456-7890.\n\nAtenciosamente,\nMariana Costa', '2026-12-14', 'utf-8', 'base64'),
    gmail: s('Férias', 'Oi,\n\nEstou de férias de 07/12 a 18/12 e volto no dia 21 de dezembro.\n\nAbraços,\nMariana', '2026-12-21'),
    zimbra: s('Ausente', 'Estarei ausente até 05/01/2027.', '2027-01-05', 'iso-8859-1'),
  },
  {
    label: 'sv', locale: 'sv-SE', sender: { name: 'Erik Sjöberg', address: 'erik.sjoberg@nordfrakt.se' },
    exchange: s('Automatiskt svar: ', 'Tack för ditt mejl. Jag är inte på kontoret till och med den 11 december och har begränsad tillgång till e-post. Vid brådskande ärenden, kontakta Erik Lund.\n\nMed vänliga hälsningar\nErik Sjöberg', '2026-12-12', 'iso-8859-1'),
    gmail: s('Frånvaro', 'Hej!\n\nJag är på semester 7–18 december och tillbaka måndag 21/12.\n\nErik', '2026-12-21'),
    zimbra: s('Semester', 'Jag är ledig till 7 januari.', '2027-01-07'),
  },
  {
    label: 'da', locale: 'da-DK', sender: { name: 'Mette Sørensen', address: 'ms@oeresund-transport.dk' },
    exchange: s('Automatisk svar: ', 'Tak for din e-mail. Jeg er ikke på kontoret til og med fredag den 11. december. I hastende tilfælde kan du kontakte Mette Hansen.\n\nVenlig hilsen\nMette Sørensen', '2026-12-12', 'iso-8859-1'),
    gmail: s('Fravær', 'Hej,\n\nJeg holder ferie fra 7.12. til 18.12. og er tilbage den 21.12.\n\nMette', '2026-12-21'),
    zimbra: s('Ferie', 'Jeg er på ferie indtil 4. januar 2027.', '2027-01-04', 'iso-8859-1', '8bit'),
  },
  {
    label: 'no', locale: 'nb-NO', sender: { name: 'Ola Haugen', address: 'ola.haugen@fjordlinje.no' },
    exchange: s('Automatisk svar: ', 'Takk for e-posten din. Jeg er ikke på kontoret før mandag 14. desember og har begrenset tilgang til e-post. Ved hastesaker, kontakt Kari Nordmann.\n\nMed vennlig hilsen\nOla Haugen', '2026-12-14', 'iso-8859-1'),
    gmail: s('Fraværsmelding', 'Hei,\n\nJeg er på ferie fra 7. til 18. desember og tilbake på kontoret 21.12.\n\nOla', '2026-12-21'),
    zimbra: s('Fravær', 'Jeg er bortreist til og med 6. januar.', '2027-01-07'),
  },
  {
    label: 'fi', locale: 'fi-FI', sender: { name: 'Mikko Järvinen', address: 'mikko.jarvinen@saimaa-kuljetus.fi' },
    exchange: s('Automaattinen vastaus: ', 'Kiitos viestistäsi. Olen poissa toimistolta 14.12. asti, ja luen sähköpostiani rajoitetusti. Kiireellisissä asioissa ota yhteyttä Mikko Virtaseen.\n\nYstävällisin terveisin\nMikko Järvinen', '2026-12-14', 'iso-8859-15'),
    gmail: s('Lomalla', 'Hei,\n\nOlen vuosilomalla 7.–18. joulukuuta ja palaan töihin maanantaina 21.12.\n\nMikko', '2026-12-21'),
    zimbra: s('Poissa', 'Olen matkoilla 8. tammikuuta 2027 asti.', '2027-01-08'),
  },
  {
    label: 'pl', locale: 'pl-PL', sender: { name: 'Anna Wiśniewska', address: 'a.wisniewska@wisla-spedycja.pl' },
    exchange: s('Odpowiedź automatyczna: ', 'Dziękuję za wiadomość. Jestem poza biurem do 14 grudnia i mam ograniczony dostęp do poczty. W pilnych sprawach proszę kontaktować się z Anną Nowak.\n\nZ poważaniem\nAnna Wiśniewska', '2026-12-14', 'iso-8859-2'),
    gmail: s('Urlop', 'Dzień dobry,\n\nprzebywam na urlopie od 7.12 do 18.12. Wracam 21 grudnia.\n\nAnna', '2026-12-21'),
    zimbra: s('Nieobecność', 'Jestem nieobecna do 8 stycznia 2027 r. włącznie.', '2027-01-09', 'iso-8859-2', 'base64'),
  },
  {
    label: 'cs', locale: 'cs-CZ', sender: { name: 'Petra Dvořáková', address: 'dvorakova@vltava-logistika.cz' },
    exchange: s('Automatická odpověď: ', 'Děkuji za Váš e-mail. Jsem mimo kancelář do 14. prosince s omezeným přístupem k e-mailu. V naléhavých případech kontaktujte Petra Nováka.\n\nS pozdravem\nPetra Dvořáková', '2026-12-14', 'iso-8859-2'),
    gmail: s('Dovolená', 'Dobrý den,\n\nod 7. do 18. 12. čerpám dovolenou, zpět budu 21. 12.\n\nPetra', '2026-12-21'),
    zimbra: s('Nepřítomnost', 'Jsem na služební cestě do 7. ledna 2027.', '2027-01-07', 'windows-1250'),
  },
  {
    label: 'sk', locale: 'sk-SK', sender: { name: 'Ján Kováč', address: 'jan.kovac@dunaj-preprava.sk' },
    exchange: s('Automatická odpoveď: ', 'Ďakujem za Váš e-mail. Som mimo kancelárie do 14. decembra s obmedzeným prístupom k e-mailu. V naliehavých prípadoch kontaktujte Jána Horvátha.\n\nS pozdravom\nJán Kováč', '2026-12-14', 'iso-8859-2'),
    gmail: s('Dovolenka', 'Dobrý deň,\n\nod 7. 12. do 18. 12. som na dovolenke, späť budem 21. 12. 2026.\n\nJán', '2026-12-21'),
    zimbra: s('Neprítomnosť', 'Som neprítomná do 8. januára vrátane.', '2027-01-09'),
  },
  {
    label: 'sl', locale: 'sl-SI', sender: { name: 'Maja Novak', address: 'maja.novak@sava-transport.si' },
    exchange: s('Samodejni odgovor: ', 'Hvala za vaše sporočilo. Do 14. decembra sem odsotna in imam omejen dostop do e-pošte. Za nujne zadeve se obrnite na Marka Kovača.\n\nLep pozdrav\nMaja Novak', '2026-12-14', 'iso-8859-2'),
    gmail: s('Odsotnost', 'Pozdravljeni,\n\nod 7. do 18. 12. sem na dopustu, nazaj bom 21. 12.\n\nMaja', '2026-12-21'),
    zimbra: s('Dopust', 'Na dopustu sem do vključno 6. januarja.', '2027-01-07', 'windows-1250', '8bit'),
  },
  {
    label: 'hr', locale: 'hr-HR', sender: { name: 'Ivana Babić', address: 'ivana.babic@jadran-prijevoz.hr' },
    exchange: s('Automatski odgovor: ', 'Hvala na poruci. Izvan ureda sam do 14. prosinca, s ograničenim pristupom e-pošti. Za hitne slučajeve obratite se Ivani Horvat.\n\nSrdačan pozdrav,\nIvana Babić', '2026-12-14', 'windows-1250'),
    gmail: s('Godišnji odmor', 'Poštovani,\n\nna godišnjem sam odmoru od 7. do 18. prosinca. Vraćam se 21. 12.\n\nIvana', '2026-12-21'),
    zimbra: s('Odsutnost', 'Odsutna sam do 8. siječnja 2027.', '2027-01-08', 'iso-8859-2'),
  },
  {
    label: 'hu', locale: 'hu-HU', sender: { name: 'Nagy Eszter', address: 'nagy.eszter@tisza-szallitmany.hu' },
    exchange: s('Automatikus válasz: ', 'Köszönöm a levelét. December 14-ig házon kívül vagyok, az e-mailjeimet korlátozottan érem el. Sürgős ügyben keresse Nagy Pétert.\n\nÜdvözlettel:\nNagy Eszter', '2026-12-14', 'iso-8859-2'),
    gmail: s('Szabadság', 'Üdvözlöm!\n\n2026.12.07. és 2026.12.18. között szabadságon vagyok, 12.21-én újra a munkahelyemen leszek.\n\nEszter', '2026-12-21'),
    zimbra: s('Irodán kívül', 'Január 8-ig szabadságon vagyok.', '2027-01-08', 'iso-8859-2', 'base64'),
  },
  {
    label: 'ro', locale: 'ro-RO', sender: { name: 'Ioana Popa', address: 'ioana.popa@dunarea-cargo.ro' },
    exchange: s('Răspuns automat: ', 'Vă mulțumesc pentru mesaj. Sunt în afara biroului până pe 14 decembrie, cu acces limitat la e-mail. Pentru urgențe, contactați-o pe Ioana Popescu.\n\nCu stimă,\nIoana Popa', '2026-12-14', 'iso-8859-16'),
    gmail: s('Concediu', 'Bună ziua,\n\nsunt în concediu în perioada 7–18 decembrie și revin la birou pe 21.12.2026.\n\nIoana', '2026-12-21'),
    zimbra: s('Absent', 'Sunt absent până la 8 ianuarie 2027 inclusiv.', '2027-01-09'),
  },
  {
    label: 'bg', locale: 'bg-BG', sender: { name: 'Мария Георгиева', address: 'm.georgieva@balkan-freight.bg' },
    exchange: s('Автоматичен отговор: ', 'Благодаря за съобщението. Извън офиса съм до 14 декември с ограничен достъп до имейл. За спешни въпроси се обърнете към Мария Иванова.\n\nПоздрави,\nМария Георгиева', '2026-12-14', 'windows-1251'),
    gmail: s('Отпуск', 'Здравейте,\n\nв отпуск съм от 7 до 18 декември и ще се върна на 21.12.\n\nМария', '2026-12-21'),
    zimbra: s('Отсъствие', 'Отсъствам до 8 януари 2027 г. включително.', '2027-01-09', 'windows-1251', 'base64'),
  },
  {
    label: 'el', locale: 'el-GR', sender: { name: 'Νίκος Παπαδάκης', address: 'n.papadakis@aegean-lines.gr' },
    exchange: s('Αυτόματη απάντηση: ', 'Σας ευχαριστώ για το μήνυμά σας. Είμαι εκτός γραφείου έως τις 14 Δεκεμβρίου με περιορισμένη πρόσβαση στο email. Για επείγοντα θέματα επικοινωνήστε με τη Μαρία Παπαδοπούλου.\n\nΜε εκτίμηση,\nΝίκος Παπαδάκης', '2026-12-14', 'iso-8859-7'),
    gmail: s('Εκτός γραφείου', 'Καλησπέρα,\n\nθα είμαι σε άδεια από 7/12 έως 18/12 και θα επιστρέψω στις 21/12.\n\nΝίκος', '2026-12-21'),
    zimbra: s('Άδεια', 'Βρίσκομαι σε διακοπές μέχρι τις 7 Ιανουαρίου 2027.', '2027-01-07', 'windows-1253'),
  },
  {
    label: 'et', locale: 'et-EE', sender: { name: 'Mari Kask', address: 'mari.kask@laanemere-vedu.ee' },
    exchange: s('Automaatne vastus: ', 'Tänan kirja eest. Olen kontorist eemal kuni 14. detsembrini ja mul on piiratud ligipääs e-postile. Kiireloomulistes küsimustes pöörduge Mari Tamme poole.\n\nLugupidamisega\nMari Kask', '2026-12-14', 'iso-8859-15'),
    gmail: s('Puhkusel', 'Tere!\n\nOlen puhkusel 7.–18.12. ning tagasi tööl 21.12.2026.\n\nMari', '2026-12-21'),
    zimbra: s('Eemal', 'Olen lähetuses kuni 8. jaanuarini.', '2027-01-08', 'iso-8859-15', '8bit'),
  },
  {
    label: 'lv', locale: 'lv-LV', sender: { name: 'Anna Bērziņa', address: 'anna.berzina@daugava-logistika.lv' },
    exchange: s('Automātiskā atbilde: ', 'Paldies par jūsu e-pastu. Līdz 14. decembrim esmu ārpus biroja, un piekļuve e-pastam ir ierobežota. Steidzamos jautājumos sazinieties ar Jāni Kalniņu.\n\nAr cieņu\nAnna Bērziņa', '2026-12-14', 'windows-1257'),
    gmail: s('Atvaļinājumā', 'Labdien!\n\nNo 7. līdz 18. decembrim esmu atvaļinājumā, birojā atgriezīšos 21.12.2026.\n\nAnna', '2026-12-21'),
    zimbra: s('Prombūtnē', 'Esmu komandējumā līdz 2027. gada 8. janvārim.', '2027-01-08', 'iso-8859-13'),
  },
  {
    label: 'lt', locale: 'lt-LT', sender: { name: 'Jonas Kazlauskas', address: 'jonas.kazlauskas@nemunas-krovos.lt' },
    exchange: s('Automatinis atsakymas: ', 'Dėkoju už laišką. Iki gruodžio 14 d. nesu biure, el. paštą tikrinu retai. Skubiais klausimais kreipkitės į Joną Petraitį.\n\nPagarbiai\nJonas Kazlauskas', '2026-12-14', 'windows-1257'),
    gmail: s('Atostogos', 'Laba diena,\n\natostogauju nuo gruodžio 7 d. iki gruodžio 18 d., į darbą grįšiu 2026-12-21.\n\nJonas', '2026-12-21'),
    zimbra: s('Išvykęs', 'Esu komandiruotėje iki 2027 m. sausio 8 d.', '2027-01-08', 'iso-8859-13', 'base64'),
  },
  {
    label: 'ga', locale: 'ga-IE', sender: { name: 'Seán Ó Briain', address: 'sean.obriain@cuan-lasta.ie' },
    exchange: s('Freagra uathoibríoch: ', 'Go raibh maith agat as do ríomhphost. Tá mé as an oifig go dtí an 14 Nollaig agus is beag rochtain atá agam ar ríomhphost. I gcás práinne, déan teagmháil le Máire Ní Bhriain.\n\nLe meas,\nSeán Ó Briain', '2026-12-14', 'iso-8859-1'),
    gmail: s('Ar saoire', 'Dia duit,\n\nBeidh mé ar saoire ón 7 go dtí an 18 Nollaig, agus beidh mé ar ais ar an 21 Nollaig.\n\nSeán', '2026-12-21'),
    zimbra: s('As an oifig', 'Tá mé as an oifig go dtí an 8 Eanáir 2027.', '2027-01-08', 'iso-8859-1', '8bit'),
  },
  {
    label: 'mt', locale: 'mt-MT', sender: { name: 'Maria Borg', address: 'maria.borg@portmalta-cargo.mt' },
    exchange: s('Tweġiba awtomatika: ', "Grazzi tal-email tiegħek. Jien barra mill-uffiċċju sal-14 ta' Diċembru u għandi aċċess limitat għall-email. Għal kwistjonijiet urġenti, ikkuntattja lil Joseph Camilleri.\n\nSaħħa,\nMaria Borg", '2026-12-14', 'iso-8859-3'),
    gmail: s('Fuq leave', "Bonġu,\n\nJien fuq leave mis-7 sat-18 ta' Diċembru u nirritorna fil-21/12.\n\nMaria", '2026-12-21'),
    zimbra: s('Barra mill-uffiċċju', "Se nkun imsiefer sat-8 ta' Jannar 2027.", '2027-01-08'),
  },
  {
    label: 'ru', locale: 'ru-RU', sender: { name: 'Иван Соколов', address: 'i.sokolov@volga-trans.ru' },
    exchange: s('Автоматический ответ: ', 'Спасибо за ваше письмо. Я в отпуске до 14 декабря, доступ к почте ограничен. По срочным вопросам обращайтесь к Ивану Петрову.\n\nС уважением,\nИван Соколов', '2026-12-14', 'koi8-r'),
    gmail: s('Отпуск', 'Добрый день!\n\nЯ в отпуске с 7 по 18 декабря. Вернусь 21.12.\n\nИван', '2026-12-21'),
    zimbra: s('Вне офиса', 'Нахожусь в командировке по 8 января включительно.', '2027-01-09', 'windows-1251'),
  },
  {
    label: 'uk', locale: 'uk-UA', sender: { name: 'Олена Шевчук', address: 'o.shevchuk@dnipro-cargo.ua' },
    exchange: s('Автоматична відповідь: ', 'Дякую за ваш лист. Я у відпустці до 14 грудня, доступ до пошти обмежений. З термінових питань звертайтеся до Олени Коваленко.\n\nЗ повагою,\nОлена Шевчук', '2026-12-14', 'windows-1251'),
    gmail: s('Відпустка', 'Добрий день!\n\nЯ у відпустці з 7 по 18 грудня, повернуся 21.12.2026.\n\nОлена', '2026-12-21'),
    zimbra: s('Поза офісом', 'Я у відрядженні по 8 січня.', '2027-01-09', 'koi8-u', 'base64'),
  },
  {
    label: 'tr', locale: 'tr-TR', sender: { name: 'Ayşe Demir', address: 'ayse.demir@bogaz-lojistik.com.tr' },
    exchange: s('Otomatik yanıt: ', 'E-postanız için teşekkürler. 14 Aralık tarihine kadar ofis dışındayım ve e-postalarıma sınırlı erişimim var. Acil durumlar için Ayşe Yılmaz ile iletişime geçebilirsiniz.\n\nSaygılarımla,\nAyşe Demir', '2026-12-14', 'iso-8859-9'),
    gmail: s('İzindeyim', 'Merhaba,\n\n7-18 Aralık tarihleri arasında yıllık izindeyim, 21.12.2026 tarihinde ofiste olacağım.\n\nAyşe', '2026-12-21'),
    zimbra: s('Ofis dışında', "8 Ocak 2027'ye kadar seyahatteyim.", '2027-01-08', 'windows-1254'),
  },
  {
    label: 'ar', locale: 'ar-SA', sender: { name: 'أحمد الحربي', address: 'a.alharbi@gulf-shipping.sa' },
    exchange: s('رد تلقائي: ', 'شكراً لرسالتك. أنا خارج المكتب حتى 14 ديسمبر مع وصول محدود إلى البريد الإلكتروني. للأمور العاجلة يرجى التواصل مع أحمد علي.\n\nمع التحية،\nأحمد الحربي', '2026-12-14', 'windows-1256'),
    gmail: s('إجازة', 'مرحباً،\n\nأنا في إجازة من ٧ إلى ١٨ ديسمبر، وسأعود يوم ٢١/١٢/٢٠٢٦.\n\nأحمد', '2026-12-21'),
    zimbra: s('خارج المكتب', 'أنا في رحلة عمل حتى 8 كانون الثاني 2027.', '2027-01-08', 'iso-8859-6', 'base64'),
  },
  {
    label: 'he', locale: 'he-IL', sender: { name: 'דנה לוי', address: 'dana.levi@carmel-logistics.co.il' },
    exchange: s('תשובה אוטומטית: ', 'תודה על פנייתך. אני מחוץ למשרד עד ה-14 בדצמבר, עם גישה מוגבלת לדואר האלקטרוני. בנושאים דחופים ניתן לפנות לדנה כהן.\n\nבברכה,\nדנה לוי', '2026-12-14', 'windows-1255'),
    gmail: s('חופשה', 'שלום,\n\nאני בחופשה בין 7.12 ל-18.12 ואחזור למשרד ב-21.12.\n\nדנה', '2026-12-21'),
    zimbra: s('לא במשרד', 'אני בנסיעת עבודה עד 8 בינואר 2027.', '2027-01-08', 'iso-8859-8'),
  },
  {
    label: 'hi', locale: 'hi-IN', sender: { name: 'राहुल वर्मा', address: 'rahul.verma@ganga-freight.in' },
    exchange: s('स्वचालित उत्तर: ', 'आपके ईमेल के लिए धन्यवाद। मैं 14 दिसंबर तक कार्यालय से बाहर हूँ और ईमेल तक सीमित पहुँच है। आवश्यक कार्यों के लिए कृपया राहुल शर्मा से संपर्क करें।\n\nधन्यवाद,\nराहुल वर्मा', '2026-12-14', 'utf-8', 'base64'),
    gmail: s('छुट्टी पर', 'नमस्ते,\n\nमैं 7 से 18 दिसंबर तक छुट्टी पर हूँ और 21/12/2026 को वापस आऊँगा।\n\nराहुल', '2026-12-21'),
    zimbra: s('कार्यालय से बाहर', 'मैं ८ जनवरी २०२७ तक यात्रा पर हूँ।', '2027-01-08', 'utf-8', '8bit'),
  },
  {
    label: 'zh', locale: 'zh-CN', sender: { name: '王磊', address: 'wang.lei@changjiang-wuliu.cn' },
    exchange: s('自动答复: ', '感谢您的来信。我目前休假，12月14日返回办公室，期间查看邮件的时间有限。如有急事，请联系王芳。\n\n此致\n王磊', '2026-12-14', 'gb2312', 'base64'),
    gmail: s('休假', '您好：\n\n我将于12月7日至12月18日休假，12月21日回到公司。\n\n王磊', '2026-12-21'),
    zimbra: s('外出通知', '您好，我出差至2027年1月8日，期間無法即時回覆郵件。', '2027-01-08', 'big5', 'base64'),
  },
  {
    label: 'ja', locale: 'ja-JP', sender: { name: '鈴木 一郎', address: 'suzuki@sakura-butsuryu.co.jp' },
    exchange: s('自動応答: ', 'メールありがとうございます。12月14日(月)まで不在にしております。メールの確認が遅れますのでご了承ください。お急ぎの場合は佐藤までご連絡ください。\n\n鈴木', '2026-12-14', 'iso-2022-jp', '8bit'),
    gmail: s('休暇のお知らせ', 'お世話になっております。\n\n12/7〜12/18まで休暇をいただいております。12/21より通常通り対応いたします。\n\n鈴木', '2026-12-21'),
    zimbra: s('不在通知', '2027年1月8日まで出張のため不在です。', '2027-01-08', 'shift_jis', 'base64'),
  },
  {
    label: 'ko', locale: 'ko-KR', sender: { name: '김지훈', address: 'jihoon.kim@hangang-logis.co.kr' },
    exchange: s('자동 회신: ', '메일 감사합니다. 12월 14일까지 부재중입니다. 메일 확인이 늦어질 수 있으니 양해 부탁드립니다. 급한 용무는 김민수에게 연락 주십시오.\n\n김지훈 드림', '2026-12-14', 'ks_c_5601-1987', 'base64'),
    gmail: s('휴가 중', '안녕하세요.\n\n12월 7일부터 12월 18일까지 휴가입니다. 12월 21일에 복귀합니다.\n\n김지훈', '2026-12-21'),
    zimbra: s('부재중 안내', '2027. 1. 8.까지 출장 중입니다.', '2027-01-08', 'euc-kr', 'base64'),
  },
];

/** Shapes with the same header evidence that the classifier must also read from the body alone or from old servers. */
export interface ExtraCase {
  file: string;
  label: string;
  provider: Provider | 'exchange2003' | 'body-only' | 'exchange-html-only';
  shape: Shape;
  /** Header lines instead of the provider's. */
  headers: string[];
  kind: 'auto_reply' | 'reply';
}

export const EXTRA_CASES: ExtraCase[] = [
  { file: 'en/exchange2003.eml', label: 'en', provider: 'exchange2003', headers: [], kind: 'auto_reply', shape: s('Out of Office AutoReply: ', 'I will be out of the office starting 12/01/2026 and will not return until 12/09/2026.', '2026-12-09', 'us-ascii', '8bit') },
  { file: 'de/exchange2003.eml', label: 'de', provider: 'exchange2003', headers: [], kind: 'auto_reply', shape: s('Abwesenheitsnotiz: ', 'Ich bin ab 30.11.2026 nicht im Büro. Ab dem 10.12.2026 bin ich wieder erreichbar.', '2026-12-10', 'iso-8859-1') },
  { file: 'en/body-only-suppress-header.eml', label: 'en', provider: 'body-only', headers: ['X-Auto-Response-Suppress: All'], kind: 'auto_reply', shape: s('Re: ', "I'm currently out of the office on parental leave and will be back on January 11.", '2027-01-11', 'us-ascii', '8bit') },
  { file: 'fr/body-only-automatic.eml', label: 'fr', provider: 'body-only', headers: [], kind: 'auto_reply', shape: s('RE: ', 'Ceci est une réponse automatique. Je suis absent jusqu’au 15 décembre.', '2026-12-15', 'windows-1252') },
  { file: 'ru/body-only-automatic.eml', label: 'ru', provider: 'body-only', headers: [], kind: 'auto_reply', shape: s('RE: ', 'Это автоматический ответ. Я в командировке до 16 декабря.', '2026-12-16', 'koi8-r', 'base64') },
  { file: 'ru/exchange-html-only.eml', label: 'ru', provider: 'exchange-html-only', headers: ['Auto-Submitted: auto-generated', 'X-Auto-Response-Suppress: All'], kind: 'auto_reply', shape: s('Автоматический ответ: ', 'Здравствуйте!\nЯ нахожусь в командировке с 1 по 11 декабря включительно.\nС уважением,\nИван', '2026-12-12', 'windows-1251', 'quoted-printable') },
  { file: 'ja/exchange-html-only.eml', label: 'ja', provider: 'exchange-html-only', headers: ['Auto-Submitted: auto-generated'], kind: 'auto_reply', shape: s('自動応答: ', 'お世話になっております。\n12月1日～12月8日まで休暇のため不在にしております。', '2026-12-08', 'shift_jis', 'base64') },
  { file: 'de/human-was-on-vacation.eml', label: 'de', provider: 'body-only', headers: [], kind: 'reply', shape: s('AW: ', 'Hallo Dana, ich war bis gestern im Urlaub. Lassen Sie uns am 15.12. telefonieren.', null, 'iso-8859-1') },
  { file: 'ja/human-was-away.eml', label: 'ja', provider: 'body-only', headers: [], kind: 'reply', shape: s('RE: ', '先週は出張で不在にしておりました。12月15日にお電話できますか。', null, 'iso-2022-jp', '8bit') },
  { file: 'en/human-suppress-header-no-away.eml', label: 'en', provider: 'body-only', headers: ['X-Auto-Response-Suppress: All'], kind: 'reply', shape: s('Re: ', 'Thanks Dana, I was out of office last week. Yes, let us talk on Tuesday.', null, 'us-ascii', '8bit') },
];

/** Human replies asking us to stop, one per language, and replies that only talk about unsubscribing. */
export interface UnsubscribeCase {
  file: string;
  label: string;
  subject: string;
  body: string;
  charset: string;
  encoding: TransferEncoding;
  request: boolean;
}

const u = (label: string, body: string, request: boolean, charset = 'utf-8', encoding: TransferEncoding = 'quoted-printable', subject = `Re: ${ORIGINAL_SUBJECT}`, name?: string): UnsubscribeCase => ({
  file: `unsubscribe/${label}-${name ?? (request ? 'request' : 'not-a-request')}.eml`,
  label,
  subject,
  body,
  charset,
  encoding,
  request,
});

export const UNSUBSCRIBE_CASES: UnsubscribeCase[] = [
  u('en', 'Not interested, please take me off your list.', true),
  u('en', '', true, 'us-ascii', '8bit', 'Unsubscribe', 'subject-only'),
  u('de', 'Bitte nehmen Sie mich aus Ihrem Verteiler. Danke.', true, 'iso-8859-1'),
  u('fr', "Merci de ne plus m'envoyer de messages.", true, 'iso-8859-15'),
  u('es', 'Por favor, denme de baja de su lista.', true, 'iso-8859-1'),
  u('it', 'Vi prego di cancellarmi: non voglio più ricevere queste email.', true),
  u('nl', 'Graag uitschrijven, ik wil geen mails meer ontvangen.', true, 'windows-1252'),
  u('pt', 'Por favor, remova-me da sua lista.', true, 'iso-8859-1'),
  u('pt-BR', 'Não quero mais receber esses e-mails, por favor me descadastre.', true),
  u('sv', 'Ta bort mig från er lista, tack.', true, 'iso-8859-1'),
  u('da', 'Fjern mig venligst fra jeres liste.', true),
  u('no', 'Vennligst fjern meg fra listen deres.', true),
  u('fi', 'Poistakaa minut postituslistaltanne.', true, 'iso-8859-15'),
  u('pl', 'Proszę mnie wypisać z listy mailingowej.', true, 'iso-8859-2'),
  u('cs', 'Prosím, odhlaste mě z vašeho seznamu.', true, 'iso-8859-2'),
  u('sk', 'Prosím, odstráňte ma z vášho zoznamu.', true, 'windows-1250'),
  u('sl', 'Prosim, odjavite me z vašega seznama.', true),
  u('hr', 'Molim vas, uklonite me s popisa.', true),
  u('hu', 'Kérem, töröljenek a listájukról.', true, 'iso-8859-2'),
  u('ro', 'Vă rog să nu-mi mai trimiteți e-mailuri.', true, 'iso-8859-16'),
  u('bg', 'Моля, отпишете ме от списъка си.', true, 'windows-1251', 'base64'),
  u('el', 'Παρακαλώ διαγράψτε με από τη λίστα σας.', true, 'iso-8859-7'),
  u('et', 'Palun eemaldage mind oma nimekirjast.', true),
  u('lv', 'Lūdzu, izņemiet mani no sava saraksta.', true, 'windows-1257'),
  u('lt', 'Prašau išbraukite mane iš savo sąrašo.', true),
  u('ga', 'Bain mé den liosta, le do thoil.', true),
  u('mt', 'Jekk jogħġbok neħħini mil-lista tiegħek.', true),
  u('ru', 'Пожалуйста, не пишите мне больше.', true, 'koi8-r', 'base64'),
  u('uk', 'Будь ласка, відпишіть мене від розсилки.', true, 'windows-1251'),
  u('tr', 'Lütfen beni listenizden çıkarın.', true, 'iso-8859-9'),
  u('ar', 'يرجى إلغاء الاشتراك وعدم مراسلتي مرة أخرى.', true, 'windows-1256', 'base64'),
  u('he', 'אנא הסירו אותי מרשימת התפוצה.', true, 'windows-1255'),
  u('hi', 'कृपया मुझे अपनी सूची से हटा दें।', true, 'utf-8', 'base64'),
  u('zh', '请不要再给我发邮件了，谢谢。', true, 'gb2312', 'base64'),
  u('ja', '今後のメール配信を停止してください。', true, 'iso-2022-jp', '8bit'),
  u('ko', '더 이상 이메일을 보내지 마세요.', true, 'euc-kr', 'base64'),
  u('en', "I can't unsubscribe from your newsletter, can you help?", false, 'us-ascii', '8bit', undefined, 'cannot-unsubscribe'),
  u('en', 'How do I unsubscribe from the weekly digest?', false, 'us-ascii', '8bit', undefined, 'how-to-unsubscribe'),
  u('en', "Please don't remove me from the list, I'd like to keep getting updates.", false, 'us-ascii', '8bit', undefined, 'do-not-remove'),
  u('en', 'Why did you remove me from the webinar list?', false, 'us-ascii', '8bit', undefined, 'why-removed'),
  u('en', 'Not interested right now, maybe next quarter.', false, 'us-ascii', '8bit', undefined, 'not-now'),
  u('de', 'Ich kann mich nicht von Ihrem Newsletter abmelden, können Sie helfen?', false, 'iso-8859-1'),
  u('fr', "Je n'arrive pas à me désinscrire de votre newsletter, pouvez-vous m'aider ?", false),
  u('es', '¿Cómo me doy de baja del boletín?', false, 'iso-8859-1'),
  u('ru', 'Почему вы удалили меня из рассылки? Я хочу получать письма.', false, 'windows-1251'),
  u('ja', '配信停止の方法を教えてください。', false, 'shift_jis', 'base64'),
  u('ko', '수신 거부는 어떻게 하나요?', false),
];

/**
 * Holdout: written after the classifier above but before it was run on them, in other words and
 * date forms than the sets above; scored by `npm run accuracy:replies` (not asserted in the table
 * test). Expected values are what a person reads, including cases the patterns were not written for.
 */
export interface HoldoutCase {
  label: string;
  provider: Provider;
  shape: Shape;
  kind: 'auto_reply' | 'reply';
  /** For human replies: does it ask us to stop? */
  unsubscribe?: boolean;
  /** Human replies carry no automatic-mail header whatever the provider. */
}

const h = (label: string, provider: Provider, subject: string, body: string, returnDate: string | null, charset = 'utf-8', encoding: TransferEncoding = 'quoted-printable'): HoldoutCase => ({
  label,
  provider,
  kind: 'auto_reply',
  shape: s(subject, body, returnDate, charset, encoding),
});
const hu = (label: string, body: string, unsubscribe: boolean, charset = 'utf-8'): HoldoutCase => ({
  label,
  provider: 'gmail',
  kind: 'reply',
  unsubscribe,
  shape: s(`Re: ${ORIGINAL_SUBJECT}`, body, null, charset, 'quoted-printable'),
});

export const HOLDOUT_CASES: HoldoutCase[] = [
  h('en', 'exchange', 'Automatic reply: ', "Hello, I'm travelling for work and will be back in the office on Wednesday 9th December. Responses will be delayed.", '2026-12-09', 'us-ascii'),
  h('en', 'gmail', 'OOO', "Thanks for reaching out! I'm OOO until 12/14 with no access to email.", '2026-12-14'),
  h('en', 'zimbra', 'On leave', 'I am on leave from Dec 10th till Jan 3rd. I will reply after I return on January 4th.', '2027-01-04', 'us-ascii', '8bit'),
  h('de', 'exchange', 'Automatische Antwort: ', 'Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre E-Mail. Ich bin bis Montag, den 7. Dezember 2026, außer Haus. Ihre Nachricht wird nicht weitergeleitet.', '2026-12-07', 'iso-8859-1'),
  h('de', 'gmail', 'Urlaub', 'Hallo! Bin im Urlaub und ab 4.1. wieder da. LG', '2027-01-04'),
  h('de', 'zimbra', 'Abwesend', 'Ich bin bis 21. Jänner nicht erreichbar.', '2027-01-21', 'iso-8859-1'),
  h('fr', 'exchange', 'Réponse automatique : ', "Bonjour, je suis actuellement en congé et serai de retour le mercredi 9 décembre. En cas d'urgence, merci de contacter le standard au 01 23 45 67 89.", '2026-12-09', 'windows-1252'),
  h('fr', 'gmail', 'Absent', 'Je suis absent du 7 décembre au 4 janvier inclusivement.', '2027-01-05'),
  h('es', 'exchange', 'Respuesta automática: ', 'Estaré fuera de la oficina del 1 al 11 de diciembre. Regreso el lunes 14.', '2026-12-14', 'iso-8859-1'),
  h('it', 'gmail', 'Ferie', 'Sono in ferie fino a lunedì 4 gennaio 2027 incluso.', '2027-01-05'),
  h('nl', 'exchange', 'Automatisch antwoord: ', 'Tot en met 11 december ben ik afwezig. Vanaf 14 december ben ik weer aanwezig.', '2026-12-14', 'windows-1252'),
  h('pt-BR', 'gmail', 'Férias', 'Estou em férias até o dia 4 de janeiro. Retorno dia 05/01.', '2027-01-05'),
  h('sv', 'zimbra', 'Semester', 'Jag har semester t.o.m. 3 januari.', '2027-01-04', 'iso-8859-1'),
  h('da', 'gmail', 'Juleferie', 'Jeg er på juleferie og er tilbage mandag den 4. januar 2027.', '2027-01-04'),
  h('no', 'exchange', 'Automatisk svar: ', 'Jeg er på reise og tilbake på kontoret torsdag 3.12.', '2026-12-03', 'iso-8859-1'),
  h('fi', 'exchange', 'Automaattinen vastaus: ', 'Olen lomalla 1.12.–6.12.2026. Palaan 7.12.', '2026-12-07', 'windows-1252'),
  h('pl', 'zimbra', 'Urlop', 'Przebywam na urlopie do dnia 18.12.2026 r.', '2026-12-18', 'iso-8859-2'),
  h('cs', 'gmail', 'Dovolená', 'Dobrý den, do 31. prosince čerpám dovolenou. Od 4. ledna jsem zpět.', '2027-01-04'),
  h('sk', 'exchange', 'Automatická odpoveď: ', 'Dobrý deň, nie som v kancelárii do 4. 12. 2026.', '2026-12-04', 'iso-8859-2'),
  h('hu', 'gmail', 'Szabadság', 'Kedves Feladó! December 21-től január 3-ig szabadságon vagyok.', '2027-01-03'),
  h('ro', 'exchange', 'Răspuns automat: ', 'Bună ziua, sunt în concediu de odihnă până luni, 7 decembrie.', '2026-12-07', 'iso-8859-16'),
  h('bg', 'gmail', 'Отпуск', 'Здравейте, ще отсъствам до 4 януари 2027 г.', '2027-01-04'),
  h('el', 'zimbra', 'Εκτός γραφείου', 'Θα απουσιάζω από το γραφείο έως και τις 15/12.', '2026-12-16', 'iso-8859-7'),
  h('et', 'exchange', 'Automaatne vastus: ', 'Olen puhkusel kuni 7. detsembrini (k.a).', '2026-12-08', 'iso-8859-15'),
  h('lv', 'gmail', 'Atvaļinājumā', 'Esmu atvaļinājumā līdz 2027. gada 4. janvārim (ieskaitot).', '2027-01-05'),
  h('lt', 'zimbra', 'Atostogos', 'Atostogauju iki sausio 4 d. imtinai.', '2027-01-05', 'iso-8859-13'),
  h('ga', 'gmail', 'Ar saoire', 'Beidh mé ar ais ar an Luan, 4 Eanáir.', '2027-01-04'),
  h('mt', 'exchange', 'Tweġiba awtomatika: ', "Se nkun lura fl-uffiċċju nhar it-Tnejn 7 ta' Diċembru.", '2026-12-07', 'iso-8859-3'),
  h('ru', 'gmail', 'Отпуск', 'Здравствуйте! С 7 по 20 декабря я в отпуске без доступа к почте.', '2026-12-21'),
  h('uk', 'exchange', 'Автоматична відповідь: ', 'Вітаю! Я перебуваю у відпустці до 07.12.2026 включно.', '2026-12-08', 'koi8-u'),
  h('tr', 'zimbra', 'Ofis dışında', 'Merhaba, 4 Ocak 2027 Pazartesi günü ofise döneceğim.', '2027-01-04', 'iso-8859-9'),
  h('ar', 'exchange', 'رد تلقائي: ', 'أنا في إجازة حتى يوم الأحد الموافق 13 ديسمبر 2026.', '2026-12-13', 'windows-1256'),
  h('he', 'gmail', 'חופשה', 'אני בחופשה עד יום שני, 14.12.2026.', '2026-12-14'),
  h('hi', 'zimbra', 'अवकाश', 'मैं 4 जनवरी 2027 तक अवकाश पर हूँ।', '2027-01-04'),
  h('zh', 'exchange', '自動回覆: ', '您好，本人於12月1日至12月8日休假，12月9日返回辦公室。', '2026-12-09', 'big5', 'base64'),
  h('ja', 'gmail', '冬季休暇のお知らせ', '誠に勝手ながら、12月26日（土）から1月4日（月）まで冬季休暇とさせていただきます。', '2027-01-04'),
  h('ko', 'exchange', '자동 회신: ', '안녕하세요. 2026년 12월 11일(금)까지 휴가입니다.', '2026-12-11', 'euc-kr', 'base64'),
  h('en', 'exchange', 'Automatic reply: ', "I'm on annual leave returning Monday 4 January.", '2027-01-04', 'us-ascii'),
  h('de', 'exchange', 'Automatische Antwort: ', 'Ich bin bis zum 11.12.2026 nicht im Büro.\n\nI am out of the office until 11 December 2026.', '2026-12-11', 'iso-8859-1'),
  h('en', 'gmail', 'Out of office', "I'm out until the 14th.", '2026-12-14'),
  hu('en', "Thanks Dana. I'll be on vacation from the 20th, so let's talk before. Does Wednesday work?", false),
  hu('fr', 'Merci, je serai en congés la semaine prochaine. On peut s’appeler jeudi ?', false),
  hu('en', 'Please remove me from your mailing list.', true),
  hu('en', 'Kindly stop sending me these emails.', true),
  hu('en', 'Unsubscribe me please', true),
  hu('en', 'We can remove the old contact from the CRM later.', false),
  hu('de', 'Bitte keine weiteren E-Mails.', true),
  hu('de', 'Ich möchte mich von Ihrem Verteiler abmelden.', true),
  hu('fr', 'Veuillez me retirer de votre liste de diffusion.', true),
  hu('es', 'No me interesa, por favor no me escriban más.', true),
  hu('it', 'Non contattatemi più, grazie.', true),
  hu('pt', 'Favor me tirar da lista.', true),
  hu('nl', 'Haal mij alstublieft van uw mailinglijst.', true),
  hu('pl', 'Proszę nie wysyłać mi więcej maili.', true),
  hu('ru', 'Уберите мой адрес из рассылки.', true),
  hu('ja', 'メールの送信を停止してください。', true),
  hu('zh', '请把我从邮件列表中删除。', true),
  hu('ko', '수신을 거부합니다.', true),
  hu('tr', 'Lütfen bana artık e-posta göndermeyin.', true),
  hu('de', 'Der Abmeldelink funktioniert nicht.', false),
  hu('es', '¿Por qué me dieron de baja de la lista?', false),
];

/**
 * Second holdout: written after the changes the first one led to, committed before the classifier
 * was run on it; its first run is the fairer figure for mail we have not seen.
 */
export const HOLDOUT2_CASES: HoldoutCase[] = [
  h('en', 'exchange', 'Automatic reply: ', 'Thank you for your message. I am on leave and will be back on 04/12.', '2026-12-04', 'us-ascii'),
  h('de', 'exchange', 'Automatic reply: ', 'Vielen Dank für Ihre Nachricht. Ich bin bis 04/12 im Urlaub.', '2026-12-04', 'iso-8859-1'),
  h('fr', 'gmail', 'Vacances', "Bonjour, je suis en vacances jusqu'au 3 janvier prochain.", '2027-01-03'),
  h('es', 'zimbra', 'Ausente', 'Hola, estaré ausente hasta el próximo lunes 14 de diciembre.', '2026-12-14', 'iso-8859-1'),
  h('it', 'exchange', 'Risposta automatica: ', 'Buongiorno, sarò assente dal 30/11 al 06/12 compresi.', '2026-12-07', 'iso-8859-15'),
  h('nl', 'gmail', 'Vakantie', 'Ik ben op vakantie. Vanaf 4 januari ben ik weer op kantoor.', '2027-01-04'),
  h('pt', 'zimbra', 'Férias', 'Encontro-me de férias até dia 4 de janeiro, inclusive.', '2027-01-05', 'iso-8859-1'),
  h('pl', 'exchange', 'Odpowiedź automatyczna: ', 'Dzień dobry, do 11.12 przebywam na urlopie.', '2026-12-11', 'iso-8859-2'),
  h('ru', 'exchange', 'Автоматический ответ: ', 'Добрый день! Я нахожусь в отпуске до 09.12.2026 г.', '2026-12-09', 'koi8-r'),
  h('uk', 'gmail', 'Відпустка', 'Доброго дня! Я у відпустці до 4 січня 2027 року.', '2027-01-04'),
  h('tr', 'exchange', 'Otomatik yanıt: ', 'Merhaba, 11.12.2026 tarihine kadar izindeyim.', '2026-12-11', 'iso-8859-9'),
  h('ja', 'exchange', '自動応答: ', 'いつもお世話になっております。12月1日から12月4日まで出張のため不在にしております。', '2026-12-04', 'iso-2022-jp', '8bit'),
  h('zh', 'gmail', '请假', '您好！我于12月7日至12月11日请假，12月14日（周一）返回。', '2026-12-14'),
  h('ko', 'zimbra', '휴가', '12/14(월)까지 휴가입니다.', '2026-12-14', 'euc-kr', 'base64'),
  h('sv', 'gmail', 'Föräldraledig', 'Hej! Jag är föräldraledig till och med 2027-01-08.', '2027-01-09'),
  h('fi', 'zimbra', 'Lomalla', 'Olen lomalla 8.1.2027 saakka.', '2027-01-08', 'iso-8859-15'),
  h('da', 'exchange', 'Automatisk svar: ', 'Jeg er på kursus og tilbage på kontoret tirsdag den 8. december.', '2026-12-08', 'iso-8859-1'),
  h('cs', 'exchange', 'Automatická odpověď: ', 'Dobrý den, až do 4. 12. 2026 jsem mimo kancelář.', '2026-12-04', 'iso-8859-2'),
  h('hu', 'zimbra', 'Szabadság', 'Tisztelt Feladó! Szabadságom miatt 2027. január 4-ig nem vagyok elérhető.', '2027-01-04', 'iso-8859-2'),
  h('ro', 'gmail', 'Concediu', 'Bună! Sunt în concediu până pe 4 ianuarie.', '2027-01-04'),
  h('el', 'exchange', 'Αυτόματη απάντηση: ', 'Καλημέρα σας, θα λείπω μέχρι την Παρασκευή 4 Δεκεμβρίου.', '2026-12-04', 'iso-8859-7'),
  h('he', 'zimbra', 'מחוץ למשרד', 'שלום, אני מחוץ למשרד עד ליום ראשון 13.12.', '2026-12-13', 'windows-1255'),
  h('ar', 'gmail', 'إجازة', 'السلام عليكم، أنا في إجازة حتى 2026/12/20.', '2026-12-20'),
  h('hi', 'exchange', 'स्वचालित उत्तर: ', 'नमस्ते, मैं 11/12/2026 तक छुट्टी पर हूँ।', '2026-12-11', 'utf-8', 'base64'),
  h('en', 'gmail', 'Out of office', "I'm out of the office Monday through Wednesday, returning Thursday 12/10.", '2026-12-10'),
  h('en', 'zimbra', 'Out of office', 'I will be out of the office from December 10 to December 18, 2026, inclusive.', '2026-12-19', 'us-ascii', '8bit'),
  h('de', 'gmail', 'Abwesend', 'Ich bin bis und mit 18. Dezember abwesend.', '2026-12-19'),
  h('bg', 'exchange', 'Автоматичен отговор: ', 'Здравейте, до петък, 4 декември, съм в командировка.', '2026-12-04', 'windows-1251'),
  h('lt', 'gmail', 'Atostogos', 'Sveiki, iki 2026-12-18 esu atostogose.', '2026-12-18'),
  h('no', 'zimbra', 'Permisjon', 'Hei! Jeg er i foreldrepermisjon til 1. februar 2027.', '2027-02-01', 'iso-8859-1'),
  { ...hu('en', "Out of office today, but I read your note. Let's meet on Monday 14th.", false) },
  { ...hu('es', 'Hola Dana, estuve de vacaciones hasta ayer. ¿Hablamos el lunes 14?', false) },
  hu('en', 'Please take me off this mailing list.', true),
  hu('en', 'Stop emailing me.', true),
  hu('en', 'Remove.', true),
  hu('en', 'Do not contact me again.', true),
  hu('en', 'Please remove John from the thread, he left the company.', false),
  hu('en', 'Can you stop sending the invoices to my old address?', false),
  hu('de', 'Bitte streichen Sie mich aus Ihrem Verteiler.', true),
  hu('de', 'Kein Interesse. Bitte nicht mehr anschreiben.', true),
  hu('fr', 'STOP', true),
  hu('fr', 'Je ne souhaite plus recevoir vos emails.', true),
  hu('es', 'Quiero darme de baja.', true),
  hu('it', 'Per favore rimuovete il mio indirizzo dalla vostra lista.', true),
  hu('pt-BR', 'Por favor, parem de me enviar e-mails.', true),
  hu('ru', 'Не присылайте мне больше писем.', true),
  hu('ja', '今後このようなメールは送らないでください。', true),
  hu('zh', '请停止发送邮件给我。', true),
  hu('ko', '메일 수신을 원하지 않습니다.', true),
  hu('de', 'Wie kann ich mich abmelden?', false),
  hu('nl', 'Ik wil me niet uitschrijven, maar minder mails ontvangen.', false),
  hu('pl', 'Jak mogę się wypisać?', false),
];
