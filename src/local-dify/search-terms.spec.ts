import { searchTerms } from './search-terms';

describe('searchTerms', () => {
  it('segments Chinese with jieba and stems English, without function or question words', () => {
    expect(searchTerms('什么是检索增强生成？')).toEqual(['检索', '增强', '生成']);
    expect(searchTerms('What are the advantages of retrieval?')).toEqual(['advantag', 'retriev']);
  });

  it('keeps names whole and numbers as they are', () => {
    expect(searchTerms('realtime-rag 发送 asr_chunk 到 8080')).toEqual(['realtime-rag', '发送', 'asr_chunk', '到', '8080']);
  });
});
