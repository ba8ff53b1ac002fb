// Japanese questions for Material's search worker. site_hooks/search_ja.py puts this file in
// front of Material's worker when the site is built, with SYNONYMS filled in from
// site_hooks/search_synonyms.yml. It speaks only the worker's public messages: it rewrites
// each query before Material's handler sees it and reorders the result Material posts back.
//
// A reader types 「残高が尽きた」; the index holds 残高 / 尽き, cut by the same separator and
// TinySegmenter. So the query is cut the same way, particles and auxiliaries (が, を, た,
// ない...) are dropped, synonyms are added (料金 -> 費用, お金 ...), and pages whose section
// headings hold the reader's words come first.
(function () {
  "use strict";
  var SETUP = 0, QUERY = 2, RESULT = 3; // Material's SearchMessageType
  var SYNONYMS = /* SYNONYMS */ {};
  // Words that carry no topic: particles, auxiliaries, light verbs and question words, as
  // TinySegmenter cuts them from a question.
  var STOP = new Set((
    "が の を に へ と で や か も は な ね よ わ ぞ さ って とか など ので のに けど けれど " +
    "から まで より だけ しか ほど くらい ぐらい " +
    "た だ て ない なかっ なく ず ぬ ん ます まし ませ です でし たい たく れる られる れ " +
    "られ せる させ う よう たら たり ば ちゃっ ちゃう じゃ " +
    "する し さ せ いる い ある あり あっ なる なっ なり なら できる でき でし " +
    "どう どうすれ どうし どうやって どうやったら なぜ なん 何 なに いい よい いか " +
    "こと もの やる やっ ため どこ すれ " +
    "? ? ! ! 。 、"
  ).split(/\s+/));
  var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\u3005]/;
  var OPERATORS = /["+\-:^~*]/;

  var current = null; // the words of the query being answered
  var vocabulary = null; // the words of the index (lunr's inverted index), once it is built

  // Keep a handle on the index's words when Material builds it.
  function watchIndexBuild() {
    if (watchIndexBuild.done || typeof lunr === "undefined") return;
    watchIndexBuild.done = true;
    var build = lunr.Builder.prototype.build;
    lunr.Builder.prototype.build = function () {
      var index = build.apply(this, arguments);
      vocabulary = index.invertedIndex;
      return index;
    };
  }

  // TinySegmenter cuts the same word differently in different sentences (ネットワークボリューム
  // is one word on one page, ネットワーク + ボリューム on another): a long word also asks for
  // the index's words it is made of, longest first.
  function parts(word) {
    if (!vocabulary || word.length < 4) return [];
    var out = [];
    for (var start = 0; start < word.length;) {
      var end = word.length;
      while (end > start + 1 && !(word.slice(start, end) in vocabulary)) end--;
      if (end === start + 1 && !(word.slice(start, end) in vocabulary)) return [];
      out.push(word.slice(start, end));
      start = end;
    }
    return out.length > 1 ? out : [];
  }

  function cut(text) {
    var words = [];
    text.split(lunr.tokenizer.separator).forEach(function (piece) {
      if (!piece) return;
      if (JAPANESE.test(piece) && lunr.segmenter) {
        lunr.segmenter.segment(piece).forEach(function (word) { words.push(word); });
      } else {
        words.push(piece);
      }
    });
    return words;
  }

  // A verb or adjective keeps only its kanji: 使える, 使っ and 使う all become 使, since the
  // index holds whichever form the page wrote.
  function stem(word) {
    var match = /^([\u3400-\u9fff\u3005]+)[\u3040-\u309f]+$/.exec(word);
    return match ? match[1] : word;
  }

  var KANJI = /^[\u3400-\u9fff\u3005]+$/;
  var PARTICLE_FIRST = /^[でにをがはとのへもや](?=[^\u3040-\u309f])/;
  // TinySegmenter glues a particle to the next word (で鍵, に見え) and splits kanji compounds
  // the index holds whole (手数 + 料): take the particle off, join the kanji back up.
  function tidy(words) {
    var out = [];
    words.forEach(function (word) {
      word = word.replace(PARTICLE_FIRST, "");
      var last = out.length - 1;
      if (last >= 0 && KANJI.test(word) && KANJI.test(out[last])) out[last] += word;
      else if (word) out.push(word);
    });
    return out;
  }

  function analyse(query) {
    var text = query.normalize("NFKC").toLowerCase().replace(/[?？!！。、]/g, " ");
    var words = tidy(cut(text).filter(function (word) { return word.trim(); }));
    var content = words.filter(function (word) { return !STOP.has(word); });
    if (!content.length) content = words;
    // Each word once, as its stem, weighing half when the reader typed a single character
    // (つ, 2): one character is found almost anywhere.
    var unique = [], weights = [];
    content.forEach(function (word) {
      var root = stem(word);
      if (unique.indexOf(root) >= 0) return;
      unique.push(root);
      weights.push(word.length > 1 ? 1 : 0.5);
    });
    // 「接続できない」 asks for the page about what does not work: not a word to search for,
    // but it ranks a heading that says ない first.
    var hints = words.indexOf("ない") >= 0 || words.indexOf("ませ") >= 0 ? ["ない"] : [];
    return { words: unique, weights: weights, hints: hints };
  }

  function expand(words) {
    var out = [];
    words.forEach(function (word) {
      [word].concat(SYNONYMS[word] || [], parts(word)).forEach(function (term) {
        if (out.indexOf(term) < 0) out.push(term);
      });
    });
    return out;
  }

  function rewrite(query) {
    // A reader who writes Lunr's own syntax ("exact", +must, -not, field:) gets it as is.
    if (typeof lunr === "undefined" || OPERATORS.test(query)) {
      current = null;
      return query;
    }
    var analysed = analyse(query);
    current = {
      typed: query.normalize("NFKC").toLowerCase(),
      groups: analysed.words.map(function (word) { return expand([word]); })
        .concat(analysed.hints.map(function (hint) { return [hint]; })),
      weights: analysed.weights.concat(analysed.hints.map(function () { return 0.5; })),
    };
    return expand(analysed.words).join(" ");
  }

  function plain(html) {
    return String(html || "").replace(/<[^>]*>/g, "").normalize("NFKC").toLowerCase();
  }

  // How much of the reader's question a text holds: 1 per word, 0.5 per word found only
  // as a synonym.
  // A synonym counts half of the word it stands for.
  function covered(text, groups, weights) {
    return groups.reduce(function (sum, group, index) {
      var weight = weights[index];
      if (text.indexOf(group[0]) >= 0) return sum + weight;
      return sum + (group.some(function (term) { return text.indexOf(term) >= 0; }) ? weight / 2 : 0);
    }, 0);
  }

  // Material lists a result's unmatched query words as struck through (「含まれない」). The
  // query also holds synonyms the reader never typed: those are no one's business. Words the
  // reader typed stay, matched or not; matched synonyms stay too (they highlight the page).
  function untyped(result) {
    result.items.forEach(function (sections) {
      sections.forEach(function (section) {
        Object.keys(section.terms || {}).forEach(function (term) {
          if (!section.terms[term] && current.typed.indexOf(term) < 0) delete section.terms[term];
        });
      });
    });
  }

  // Pages whose headings hold more of the reader's words come first; then a page whose own
  // title holds all of them; of two headings that hold all of them, the shorter one (it says less
  // else); then the page whose section holds more of them; then Material's own order.
  function rerank(result) {
    if (!current || !current.groups.length || !result || !result.items) return;
    untyped(result);
    var groups = current.groups, weights = current.weights;
    var complete = weights.reduce(function (sum, weight) { return sum + weight; }, 0);
    var scored = result.items.map(function (sections, order) {
      var best = { heading: 0, length: Infinity, text: 0, page: 0 };
      sections.forEach(function (section) {
        var title = plain(section.title), heading = covered(title, groups, weights);
        if (String(section.location).indexOf("#") < 0) best.page = heading >= complete ? 1 : 0;
        if (heading > best.heading || (heading === best.heading && title.length < best.length)) {
          best.heading = heading;
          best.length = title.length;
        }
        var whole = title + " " + plain(section.text);
        best.text = Math.max(best.text, covered(whole, groups, weights));
      });
      best.exact = best.heading >= complete ? best.length : Infinity;
      return { sections: sections, best: best, order: order };
    });
    scored.sort(function (a, b) {
      return (b.best.heading - a.best.heading) || (b.best.page - a.best.page) ||
        (a.best.exact - b.best.exact) ||
        (b.best.text - a.best.text) || (a.order - b.order);
    });
    result.items = scored.map(function (entry) { return entry.sections; });
  }

  // For tests (tests/site/test_search_ja.py runs this file in Node).
  self.kglSearchJa = {
    analyse: analyse, rewrite: rewrite, rerank: rerank,
    useVocabulary: function (words) { vocabulary = words; },
  };

  var addEventListener = self.addEventListener.bind(self);
  self.addEventListener = function (type, listener, options) {
    if (type !== "message") return addEventListener(type, listener, options);
    return addEventListener(type, function (event) {
      var message = event.data;
      if (message && message.type === SETUP) watchIndexBuild();
      if (message && message.type === QUERY && typeof message.data === "string") {
        message = { type: QUERY, data: rewrite(message.data) };
      }
      return listener.call(this, { data: message });
    }, options);
  };

  var postMessage = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (message && message.type === RESULT) rerank(message.data);
    return postMessage.apply(null, arguments);
  };
})();
